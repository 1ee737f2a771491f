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

    /// <summary>
    /// RFC 8839 §3.4.2's race: the peer's checks complete, it re-offers with `a=remote-candidates` naming our relayed
    /// candidate, and that re-INVITE can beat the check response that would have
    /// told us the pair. The answer's c=/m= is the named candidate all the same (the peer sends its RTP there), and stays
    /// so; a name that is not one of our candidates, or a list of several (re's form), moves nothing.
    /// </summary>
    [Theory]
    [InlineData("198.51.100.10 57512", "198.51.100.10", 57512)]
    [InlineData("203.0.113.66 57512", "198.51.100.1", 62965)]
    [InlineData("198.51.100.10 57513", "198.51.100.1", 62965)]
    [InlineData("192.168.1.10 10320 1 198.51.100.10 57512", "198.51.100.1", 62965)]
    public void A_reoffer_naming_our_nominated_candidate_gets_it_as_the_answers_default(string named, string expectedAddress, int expectedPort)
    {
        SdpNegotiator station = StationBehindRouterA();
        Assert.True(station.CreateAnswer(PhoneOffer("198.51.100.10", 53815, remoteCandidates: null)).Succeeded);

        OfferAnswerResult answer = station.CreateAnswer(PhoneOffer("192.168.2.20", 27910, remoteCandidates: "1 " + named));

        Assert.True(answer.Succeeded, answer.Error);
        Assert.Equal(("1 " + named).Split(' ').Length / 3, station.Media!.RemoteIce!.RemoteCandidates.Count);
        Assert.Contains($"c=IN IP4 {expectedAddress}\r\n", answer.Sdp, StringComparison.Ordinal);
        Assert.Contains($"m=audio {expectedPort} RTP/AVP", answer.Sdp, StringComparison.Ordinal);
        Assert.Contains($"m=audio {expectedPort} RTP/AVP", station.CreateOffer(), StringComparison.Ordinal);
    }

    /// <summary>
    /// re's form of the same race: its re-offer names every candidate of ours it knows (or none), so the negotiator asks
    /// the call's ICE side, with the offer's c=/m= (the local candidate of the pair the peer selected), what the answer's
    /// default is to be. An offer that names our candidate the RFC's way, or has no ICE, does not ask.
    /// </summary>
    [Theory]
    [InlineData(null, true)]
    [InlineData("1 192.168.1.10 10320 1 198.51.100.10 57512", true)]
    [InlineData("1 198.51.100.10 57512", false)]
    public void A_reoffer_that_names_no_single_candidate_of_ours_asks_the_ice_side_with_its_default(string? named, bool asks)
    {
        SdpNegotiator station = StationBehindRouterA();
        var told = new List<IPEndPoint>();
        station.IceOfferDefault = peerDefault =>
        {
            told.Add(peerDefault);
            if (told.Count > 1)
            {
                // What the ICE side does when its relayed candidate answered the peer's checks from there.
                station.AdvertiseAt(IPEndPoint.Parse("198.51.100.10:57512"));
            }
        };
        Assert.True(station.CreateAnswer(PhoneOffer("198.51.100.10", 53815, remoteCandidates: null)).Succeeded);

        OfferAnswerResult answer = station.CreateAnswer(PhoneOffer("192.168.2.20", 27910, named));

        Assert.True(answer.Succeeded, answer.Error);
        Assert.Equal(asks ? [IPEndPoint.Parse("198.51.100.10:53815"), IPEndPoint.Parse("192.168.2.20:27910")] : [IPEndPoint.Parse("198.51.100.10:53815")], told);
        Assert.Contains("c=IN IP4 198.51.100.10\r\n", answer.Sdp, StringComparison.Ordinal);
        Assert.Contains("m=audio 57512 RTP/AVP", answer.Sdp, StringComparison.Ordinal);

        told.Clear();
        Assert.True(station.CreateAnswer(PhoneOffer("192.168.2.20", 27910, named).Replace("a=ice-", "a=x-ice-", StringComparison.Ordinal)
            .Replace("a=candidate", "a=x-candidate", StringComparison.Ordinal)).Succeeded);
        Assert.Empty(told);
    }

    /// <summary>The station's negotiator with host, server-reflexive and relayed candidates, advertising its STUN mapping.</summary>
    private static SdpNegotiator StationBehindRouterA()
    {
        var station = new SdpNegotiator(new SdpNegotiatorOptions { Address = IPAddress.Parse("192.168.1.10"), RtpPort = 10320 });
        station.LocalIce = new IceMediaParameters
        {
            Credentials = Ours,
            Candidates =
            [
                IceRemoteCandidateTests.Candidate("192.168.1.10", 10320, IceCandidateType.Host),
                IceRemoteCandidateTests.Candidate("198.51.100.1", 62965, IceCandidateType.ServerReflexive),
                IceRemoteCandidateTests.Candidate("198.51.100.10", 57512, IceCandidateType.Relayed),
            ],
            RtcpMux = true,
        };
        station.AdvertiseAt(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 62965));
        return station;
    }

    private static string PhoneOffer(string address, int port, string? remoteCandidates) =>
        $"v=0\r\no=- 7 {port} IN IP4 {address}\r\ns=-\r\nc=IN IP4 {address}\r\nt=0 0\r\n" +
        $"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ice-ufrag:them\r\na=ice-pwd:theirpasswordtheirpassw0\r\n" +
        "a=candidate:1 1 UDP 2130706431 192.168.2.20 27910 typ host\r\n" +
        "a=candidate:3 1 UDP 16777215 198.51.100.10 53815 typ relay raddr 198.51.100.2 rport 59290\r\n" +
        (remoteCandidates is null ? "" : $"a=remote-candidates:{remoteCandidates}\r\n") +
        "a=rtcp-mux\r\n";

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
