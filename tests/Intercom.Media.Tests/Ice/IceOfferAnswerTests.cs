using System.Net;
using Intercom.Media.Ice;
using Intercom.Media.Sdp;

namespace Intercom.Media.Tests.Ice;

/// <summary>RFC 8839 in our offers and answers: ICE attributes with rtcp-mux, none towards a peer without ICE.</summary>
public sealed class IceOfferAnswerTests
{
    private static readonly IceCredentials Ours = new("ours", "ourpasswordourpassword00");

    [Fact]
    public void An_offer_carries_ufrag_pwd_candidates_and_rtcp_mux_and_the_answer_gives_the_peers()
    {
        SdpNegotiator offerer = Negotiator("198.51.100.1", 10000, Ours);
        SdpNegotiator answerer = Negotiator("198.51.100.2", 20000, new IceCredentials("them", "theirpasswordtheirpassw0"));

        string offer = offerer.CreateOffer();

        Assert.Contains("a=ice-ufrag:ours\r\n", offer, StringComparison.Ordinal);
        Assert.Contains("a=ice-pwd:ourpasswordourpassword00\r\n", offer, StringComparison.Ordinal);
        Assert.Contains("a=candidate:1 1 UDP 2130706431 198.51.100.1 10000 typ host\r\n", offer, StringComparison.Ordinal);
        Assert.Equal(2, offer.Split("a=rtcp-mux").Length);

        OfferAnswerResult answer = answerer.CreateAnswer(offer);
        Assert.True(answer.Succeeded);
        Assert.Equal("ours", answerer.Media!.RemoteIce!.Credentials.Ufrag);
        Assert.Contains("a=ice-ufrag:them\r\n", answer.Sdp, StringComparison.Ordinal);

        Assert.True(offerer.ApplyAnswer(answer.Sdp!).Succeeded);
        IceMediaParameters remote = offerer.Media!.RemoteIce!;
        Assert.Equal("them", remote.Credentials.Ufrag);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), Assert.Single(remote.Candidates).Address);
        Assert.True(offerer.Media.RtcpMux);
    }

    [Fact]
    public void A_peer_without_ice_gets_an_answer_without_ice_and_its_media_has_no_remote_ice()
    {
        SdpNegotiator station = Negotiator("198.51.100.1", 10000, Ours);
        const string plainOffer = "v=0\r\no=- 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n" +
            "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

        OfferAnswerResult answer = station.CreateAnswer(plainOffer);

        Assert.True(answer.Succeeded);
        Assert.DoesNotContain("ice-", answer.Sdp, StringComparison.Ordinal);
        Assert.DoesNotContain("candidate", answer.Sdp, StringComparison.Ordinal);
        Assert.Null(station.Media!.RemoteIce);
    }

    [Fact]
    public void A_default_destination_that_is_none_of_the_candidates_means_an_alg_rewrote_the_sdp_and_ice_is_not_used()
    {
        SdpNegotiator station = Negotiator("198.51.100.1", 10000, Ours);
        const string rewritten = "v=0\r\no=- 1 1 IN IP4 203.0.113.9\r\ns=-\r\nc=IN IP4 203.0.113.9\r\nt=0 0\r\n" +
            "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ice-ufrag:them\r\na=ice-pwd:theirpasswordtheirpassw0\r\n" +
            "a=candidate:1 1 UDP 2130706431 192.168.5.5 4000 typ host\r\na=rtcp-mux\r\n";

        OfferAnswerResult answer = station.CreateAnswer(rewritten);

        Assert.True(answer.Succeeded);
        Assert.Null(station.Media!.RemoteIce);
        Assert.DoesNotContain("ice-ufrag", answer.Sdp, StringComparison.Ordinal);
    }

    private static SdpNegotiator Negotiator(string address, int port, IceCredentials credentials)
    {
        var negotiator = new SdpNegotiator(new SdpNegotiatorOptions { Address = IPAddress.Parse(address), RtpPort = port });
        negotiator.LocalIce = new IceMediaParameters
        {
            Credentials = credentials,
            Candidates =
            [
                new IceCandidate
                {
                    Foundation = "1", ComponentId = 1, Transport = "UDP", Priority = IcePriority.OfCandidate(IceCandidateType.Host, 65535, 1),
                    ConnectionAddress = address, Address = IPAddress.Parse(address), Port = port, Type = IceCandidateType.Host,
                },
            ],
            RtcpMux = true,
        };
        return negotiator;
    }
}
