using System.Net;
using Intercom.Media.Dtls;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;

namespace Intercom.Media.Tests.Sdp;

/// <summary>DTLS-SRTP in the offer/answer (RFC 5763 §5, RFC 5764 §8, RFC 8122).</summary>
public sealed class SdpNegotiatorDtlsTests
{
    private static readonly DtlsFingerprint Ours = DtlsCertificate.Create("station").Fingerprint;
    private static readonly DtlsFingerprint Theirs = DtlsCertificate.Create("phone").Fingerprint;

    private static SdpNegotiator Create(SrtpPolicy policy = SrtpPolicy.DtlsSrtp) => new(new SdpNegotiatorOptions
    {
        Address = IPAddress.Parse("192.0.2.10"),
        RtpPort = 40000,
        Formats = [MediaFormat.Pcmu, MediaFormat.TelephoneEvent],
        Srtp = policy,
        DtlsFingerprint = Ours,
    });

    // What baresip's dtls_srtp module offers: the fingerprint at session level, actpass on the m-line.
    private static string PeerSdp(string protocol, string setup, bool sessionFingerprint = true, bool fingerprint = true) =>
        "v=0\r\no=phone 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"
        + (fingerprint && sessionFingerprint ? "a=fingerprint:" + Theirs + "\r\n" : "")
        + "m=audio 5004 " + protocol + " 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
        + (fingerprint && !sessionFingerprint ? "a=fingerprint:" + Theirs + "\r\n" : "")
        + (setup.Length > 0 ? "a=setup:" + setup + "\r\n" : "") + "a=rtcp-mux\r\na=sendrecv\r\n";

    private static MediaDescription Audio(string sdp)
    {
        Assert.True(SessionDescription.TryParse(sdp, out SessionDescription? parsed, out string? error), error);
        return parsed.Media[0];
    }

    [Fact]
    public void Offers_UDP_TLS_RTP_SAVP_with_our_fingerprint_actpass_and_rtcp_mux_and_no_keys()
    {
        MediaDescription audio = Audio(Create().CreateOffer());
        Assert.Equal("UDP/TLS/RTP/SAVP", audio.Protocol);
        Assert.Equal(Ours.ToString(), audio.GetAttribute("fingerprint"));
        Assert.Equal("actpass", audio.GetAttribute("setup"));
        Assert.True(audio.HasAttribute("rtcp-mux"));
        Assert.False(audio.HasAttribute("crypto"));
    }

    [Theory]
    [InlineData("active", DtlsRole.Server)]
    [InlineData("passive", DtlsRole.Client)]
    public void The_answer_decides_our_role(string setup, DtlsRole role)
    {
        SdpNegotiator negotiator = Create();
        negotiator.CreateOffer();
        Assert.True(negotiator.ApplyAnswer(PeerSdp("UDP/TLS/RTP/SAVP", setup, sessionFingerprint: false)).Succeeded);
        Assert.Equal(role, negotiator.Media!.Dtls!.Role);
        Assert.Equal(Theirs.ToString(), negotiator.Media.Dtls.RemoteFingerprint.ToString());
        Assert.Null(negotiator.Media.Srtp);

        // A re-offer keeps the association's role instead of actpass (RFC 5763 §5).
        Assert.Equal(setup == "active" ? "passive" : "active", Audio(negotiator.CreateOffer()).GetAttribute("setup"));
    }

    [Theory]
    [InlineData("actpass")]
    [InlineData("")]
    public void An_answer_without_a_fingerprint_or_with_actpass_is_refused(string setup)
    {
        SdpNegotiator negotiator = Create();
        negotiator.CreateOffer();
        string answer = setup.Length == 0 ? PeerSdp("UDP/TLS/RTP/SAVP", "active", fingerprint: false) : PeerSdp("UDP/TLS/RTP/SAVP", setup);
        OfferAnswerResult result = negotiator.ApplyAnswer(answer);
        Assert.False(result.Succeeded);
        Assert.Equal(488, result.StatusCode);
        Assert.Null(negotiator.Media);
    }

    [Theory]
    [InlineData("UDP/TLS/RTP/SAVP")]
    [InlineData("UDP/TLS/RTP/SAVPF")]
    public void Answers_a_DTLS_offer_as_the_active_end(string protocol)
    {
        SdpNegotiator negotiator = Create();
        OfferAnswerResult result = negotiator.CreateAnswer(PeerSdp(protocol, "actpass"));
        Assert.True(result.Succeeded, result.Error);
        MediaDescription audio = Audio(result.Sdp!);
        Assert.Equal(protocol, audio.Protocol);
        Assert.Equal("active", audio.GetAttribute("setup"));
        Assert.Equal(Ours.ToString(), audio.GetAttribute("fingerprint"));
        Assert.Equal(DtlsRole.Client, negotiator.Media!.Dtls!.Role);
        Assert.True(negotiator.Media.RtcpMux);
    }

    [Fact]
    public void An_active_offerer_makes_us_the_server()
    {
        SdpNegotiator negotiator = Create();
        OfferAnswerResult result = negotiator.CreateAnswer(PeerSdp("UDP/TLS/RTP/SAVP", "active"));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("passive", Audio(result.Sdp!).GetAttribute("setup"));
        Assert.Equal(DtlsRole.Server, negotiator.Media!.Dtls!.Role);
    }

    [Theory]
    [InlineData("RTP/AVP", "", "DTLS-SRTP required")]
    [InlineData("RTP/SAVP", "", "DTLS-SRTP required")]
    [InlineData("UDP/TLS/RTP/SAVP", "holdconn", "a=setup:holdconn")]
    public void A_DTLS_SRTP_account_refuses_anything_else(string protocol, string setup, string reason)
    {
        OfferAnswerResult result = Create().CreateAnswer(PeerSdp(protocol, setup));
        Assert.False(result.Succeeded);
        Assert.Equal(488, result.StatusCode);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SrtpPolicy.Disabled)]
    [InlineData(SrtpPolicy.Optional)]
    [InlineData(SrtpPolicy.Required)]
    public void Other_policies_refuse_DTLS_offers(SrtpPolicy policy)
    {
        OfferAnswerResult result = Create(policy).CreateAnswer(PeerSdp("UDP/TLS/RTP/SAVP", "actpass"));
        Assert.False(result.Succeeded);
        Assert.Equal(488, result.StatusCode);
    }

    [Fact]
    public void An_offer_without_a_fingerprint_is_refused() =>
        Assert.Equal(488, Create().CreateAnswer(PeerSdp("UDP/TLS/RTP/SAVP", "actpass", fingerprint: false)).StatusCode);
}
