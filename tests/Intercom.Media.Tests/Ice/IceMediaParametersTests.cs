using Intercom.Media.Ice;
using Intercom.Media.Sdp;

namespace Intercom.Media.Tests.Ice;

public sealed class IceMediaParametersTests
{
    // Shaped like a browser's offer: session-level ice-options, media-level credentials, rtcp-mux, one malformed candidate.
    private const string BrowserOffer = "v=0\r\n" +
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" +
        "s=-\r\n" +
        "t=0 0\r\n" +
        "a=ice-options:trickle\r\n" +
        "m=audio 54321 UDP/TLS/RTP/SAVPF 111\r\n" +
        "c=IN IP4 198.51.100.20\r\n" +
        "a=ice-ufrag:EsAw\r\n" +
        "a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n" +
        "a=candidate:1 1 udp 2122262783 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 50000 typ host generation 0\r\n" +
        "a=candidate:2 1 udp 1686052607 198.51.100.20 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0\r\n" +
        "a=candidate:3 1 udp 1 not..an..address 1 typ host\r\n" +
        "a=end-of-candidates\r\n" +
        "a=rtcp-mux\r\n" +
        "a=rtpmap:111 opus/48000/2\r\n";

    [Fact]
    public void Reads_a_browsers_offer_and_ignores_the_malformed_candidate()
    {
        SessionDescription session = Parse(BrowserOffer);

        Assert.True(IceMediaParameters.TryRead(session, session.Media[0], out IceMediaParameters? ice, out string? error));

        Assert.Null(error);
        Assert.Equal("EsAw", ice.Credentials.Ufrag);
        Assert.Equal(["1", "2"], ice.Candidates.Select(c => c.Foundation));
        Assert.Equal(1, ice.IgnoredCandidates);
        Assert.Equal(["trickle"], ice.Options);
        Assert.True(ice.EndOfCandidates);
        Assert.True(ice.RtcpMux);
        Assert.False(ice.Lite);
        Assert.True(ice.ContainsDefaultDestination(session, session.Media[0]));
    }

    [Fact]
    public void A_peer_without_ice_attributes_is_plain_offer_answer_not_an_error()
    {
        SessionDescription session = Parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");

        Assert.False(IceMediaParameters.TryRead(session, session.Media[0], out IceMediaParameters? ice, out string? error));
        Assert.Null(ice);
        Assert.Null(error);
    }

    [Fact]
    public void A_password_too_short_to_protect_the_checks_is_refused_with_the_reason()
    {
        SessionDescription session = Parse(BrowserOffer.Replace("a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y", "a=ice-pwd:short", StringComparison.Ordinal));

        Assert.False(IceMediaParameters.TryRead(session, session.Media[0], out _, out string? error));
        Assert.Equal("ice-pwd must be 22 to 256 ice-chars", error);
    }

    [Fact]
    public void Session_level_credentials_and_lite_apply_and_media_level_ones_win()
    {
        SessionDescription session = Parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
            "a=ice-lite\r\na=ice-ufrag:sess\r\na=ice-pwd:sessionpasswordsessionpw\r\n" +
            "m=audio 4000 RTP/AVP 0\r\na=ice-ufrag:medi\r\na=candidate:1 1 UDP 2130706431 192.0.2.1 4000 typ host\r\n");

        Assert.True(IceMediaParameters.TryRead(session, session.Media[0], out IceMediaParameters? ice, out _));
        Assert.Equal(new IceCredentials("medi", "sessionpasswordsessionpw"), ice.Credentials);
        Assert.True(ice.Lite);
    }

    [Fact]
    public void A_default_destination_that_is_no_candidate_is_seen_a_rewritten_sdp()
    {
        SessionDescription session = Parse(BrowserOffer.Replace("c=IN IP4 198.51.100.20", "c=IN IP4 203.0.113.99", StringComparison.Ordinal));

        Assert.True(IceMediaParameters.TryRead(session, session.Media[0], out IceMediaParameters? ice, out _));
        Assert.False(ice.ContainsDefaultDestination(session, session.Media[0]));
    }

    [Fact]
    public void What_it_writes_it_reads_back()
    {
        var written = new IceMediaParameters
        {
            Credentials = IceCredentials.Generate(),
            Candidates =
            [
                new IceCandidate
                {
                    Foundation = "1", ComponentId = 1, Transport = "UDP", ConnectionAddress = "192.168.1.2", Port = 40000,
                    Priority = IcePriority.OfCandidate(IceCandidateType.Host, 65535, 1), Type = IceCandidateType.Host,
                },
                new IceCandidate
                {
                    Foundation = "2", ComponentId = 1, Transport = "UDP", ConnectionAddress = "198.51.100.7", Port = 40000,
                    Priority = IcePriority.OfCandidate(IceCandidateType.ServerReflexive, 65535, 1), Type = IceCandidateType.ServerReflexive,
                    RelatedAddress = "192.168.1.2", RelatedPort = 40000,
                },
            ],
            Lite = true,
            Options = ["ice2"],
            EndOfCandidates = true,
            RtcpMux = true,
        };
        var session = new SessionDescription(new SdpOrigin("-", 1, 1, "IP4", "192.168.1.2")) { Connection = new SdpConnection("IP4", "198.51.100.7") };
        var media = new MediaDescription("audio", 40000, "RTP/AVP");
        media.Formats.Add("0");
        session.Media.Add(media);

        written.WriteTo(session, media);
        SessionDescription reread = Parse(session.ToString());

        Assert.True(IceMediaParameters.TryRead(reread, reread.Media[0], out IceMediaParameters? read, out _));
        Assert.Equal(written.Credentials, read.Credentials);
        Assert.Equal(written.Candidates.Select(c => c.ToString()), read.Candidates.Select(c => c.ToString()));
        Assert.True(read.Lite && read.EndOfCandidates && read.RtcpMux);
        Assert.Equal(["ice2"], read.Options);
        Assert.True(read.ContainsDefaultDestination(reread, reread.Media[0]));
    }

    [Fact]
    public void Generated_credentials_are_valid_and_differ_each_time()
    {
        IceCredentials a = IceCredentials.Generate();
        IceCredentials b = IceCredentials.Generate();

        Assert.True(IceCredentials.TryCreate(a.Ufrag, a.Password, out _, out _));
        Assert.NotEqual(a.Password, b.Password);
        Assert.DoesNotContain(a.Password, a.ToString(), StringComparison.Ordinal);
    }

    private static SessionDescription Parse(string text)
    {
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? session, out string? error), error);
        return session;
    }
}
