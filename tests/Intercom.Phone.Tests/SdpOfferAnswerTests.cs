using System.Net;
using Intercom.Phone;
using Intercom.Media.Sdp;

namespace Intercom.Phone.Tests;

/// <summary>The SIP call's view of the media negotiator: RFC 3264 §8.4 hold and resume as the peer expresses them.</summary>
public class SdpOfferAnswerTests
{
    private static SdpOfferAnswer Station() => new(new SdpNegotiator(new SdpNegotiatorOptions { Address = IPAddress.Loopback, RtpPort = 40000 }));

    private static string PeerOffer(string direction) => $"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na={direction}\r\n";

    [Theory]
    [InlineData("sendrecv", false, "a=sendrecv")]
    [InlineData("sendonly", true, "a=recvonly")]
    [InlineData("inactive", true, "a=inactive")]
    public void A_peer_offer_says_whether_it_holds_us(string direction, bool holds, string answerDirection)
    {
        var outcome = Station().AnswerOffer(PeerOffer(direction));
        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(holds, outcome.PeerHolds);
        Assert.Contains(answerDirection, outcome.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Our_own_hold_is_not_the_peer_holding_us()
    {
        var station = Station();
        var offer = station.CreateOffer(hold: true);
        Assert.Contains("a=sendonly", offer, StringComparison.Ordinal);
        var answer = offer.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal).Replace("40000", "5000", StringComparison.Ordinal);
        var outcome = station.ApplyAnswer(answer);
        Assert.True(outcome.Success, outcome.Error);
        Assert.False(outcome.PeerHolds);
    }

    [Fact]
    public void Each_completed_exchange_reports_the_agreed_media()
    {
        var station = Station();
        var agreed = new List<NegotiatedMedia>();
        station.MediaChanged += agreed.Add;
        station.AnswerOffer(PeerOffer("sendrecv"));
        var media = Assert.Single(agreed);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5000), media.RemoteRtp);
        Assert.Equal("PCMU", media.SendFormat.EncodingName);
    }

    [Fact]
    public void An_offer_without_a_common_codec_is_refused_with_the_reason()
    {
        var outcome = Station().AnswerOffer(PeerOffer("sendrecv").Replace("RTP/AVP 0", "RTP/AVP 18", StringComparison.Ordinal).Replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:18 G729/8000", StringComparison.Ordinal));
        Assert.False(outcome.Success);
        Assert.False(string.IsNullOrEmpty(outcome.Error));
    }
}
