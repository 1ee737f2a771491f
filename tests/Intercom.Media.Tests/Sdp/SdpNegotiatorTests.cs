using System.Net;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;

namespace Intercom.Media.Tests.Sdp;

public sealed class SdpNegotiatorTests
{
    // RFC 3264 §10.1: one audio and two video streams from Alice.
    private const string Rfc3264Offer = "v=0\r\n" +
        "o=alice 2890844526 2890844526 IN IP4 host.anywhere.com\r\n" +
        "s=\r\n" +
        "c=IN IP4 host.anywhere.com\r\n" +
        "t=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "m=video 51372 RTP/AVP 31\r\n" +
        "a=rtpmap:31 H261/90000\r\n" +
        "m=video 53000 RTP/AVP 32\r\n" +
        "a=rtpmap:32 MPV/90000\r\n";

    // RFC 4317 §2.1: audio with PCMU, PCMA and a dynamic iLBC, plus video.
    private const string Rfc4317Offer = "v=0\r\n" +
        "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n" +
        "s=\r\n" +
        "c=IN IP4 host.atlanta.example.com\r\n" +
        "t=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 97\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:97 iLBC/8000\r\n" +
        "m=video 51372 RTP/AVP 31 32\r\n" +
        "a=rtpmap:31 H261/90000\r\n" +
        "a=rtpmap:32 MPV/90000\r\n";

    private static SdpNegotiator Create(params MediaFormat[] formats) => Create(IPAddress.Parse("192.0.2.10"), SrtpPolicy.Disabled, formats);

    private static SdpNegotiator Create(IPAddress address, SrtpPolicy srtp, params MediaFormat[] formats) => new(new SdpNegotiatorOptions
    {
        Address = address,
        RtpPort = 40000,
        SessionId = 1000,
        Formats = formats.Length > 0 ? formats : [MediaFormat.Pcmu, MediaFormat.Pcma, MediaFormat.TelephoneEvent],
        Srtp = srtp,
    });

    private static SessionDescription Parse(string text)
    {
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? sdp, out string? error), error);
        return sdp;
    }

    private static string Offer(string audioLine, params string[] attributes) =>
        "v=0\r\no=peer 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n" + audioLine + "\r\n"
        + string.Concat(attributes.Select(a => "a=" + a + "\r\n"));

    [Fact]
    public void Answers_the_rfc_3264_example_accepting_audio_and_declining_video()
    {
        SdpNegotiator negotiator = Create();
        OfferAnswerResult result = negotiator.CreateAnswer(Rfc3264Offer);
        Assert.True(result.Succeeded, result.Error);
        SessionDescription answer = Parse(result.Sdp!);
        Assert.Equal(3, answer.Media.Count);
        Assert.Equal(40000, answer.Media[0].Port);
        Assert.Equal(["0"], answer.Media[0].Formats);
        Assert.Equal(("video", 0, "31"), (answer.Media[1].Media, answer.Media[1].Port, answer.Media[1].Formats[0]));
        Assert.Equal(("video", 0, "32"), (answer.Media[2].Media, answer.Media[2].Port, answer.Media[2].Formats[0]));
        Assert.Equal(new SdpConnection("IP4", "192.0.2.10"), answer.Connection);

        NegotiatedMedia media = negotiator.Media!;
        Assert.Equal(MediaFormat.Pcmu, media.SendFormat);
        Assert.Equal("host.anywhere.com", media.RemoteHost);
        Assert.Equal(49170, media.RemoteRtpPort);
        Assert.Null(media.RemoteRtp);
        Assert.Equal(MediaDirection.SendReceive, media.Direction);
        Assert.Null(media.SendTelephoneEventPayloadType);
    }

    [Fact]
    public void Chooses_by_our_preference_among_the_rfc_4317_offer()
    {
        SdpNegotiator negotiator = Create(MediaFormat.G722, MediaFormat.Pcma, MediaFormat.Pcmu);
        OfferAnswerResult result = negotiator.CreateAnswer(Rfc4317Offer);
        Assert.True(result.Succeeded);
        SessionDescription answer = Parse(result.Sdp!);
        Assert.Equal(["8"], answer.Media[0].Formats);
        Assert.Contains(answer.Media[0].Attributes, a => a.Name == "rtpmap" && a.Value == "8 PCMA/8000");
        Assert.Equal(0, answer.Media[1].Port);
        Assert.Equal(8, negotiator.Media!.SendFormat.PayloadType);
    }

    [Fact]
    public void One_of_n_codec_selection_of_rfc_3264_section_10_2()
    {
        SdpNegotiator negotiator = Create(MediaFormat.Pcma, MediaFormat.Pcmu);
        OfferAnswerResult result = negotiator.CreateAnswer(Offer("m=audio 62986 RTP/AVP 0 4 18"));
        Assert.True(result.Succeeded);
        Assert.Equal(["0"], Parse(result.Sdp!).Media[0].Formats);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 62986), negotiator.Media!.RemoteRtp);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 62987), negotiator.Media.RemoteRtcp);
        Assert.Equal(20, negotiator.Media.PacketTime);
    }

    [Fact]
    public void No_common_codec_is_488_and_changes_nothing()
    {
        SdpNegotiator negotiator = Create();
        OfferAnswerResult result = negotiator.CreateAnswer(Offer("m=audio 5000 RTP/AVP 18", "rtpmap:18 G729/8000"));
        Assert.False(result.Succeeded);
        Assert.Equal(488, result.StatusCode);
        Assert.Equal("no common codec", result.Error);
        Assert.Null(negotiator.Media);
    }

    [Fact]
    public void Unparseable_offer_is_400()
    {
        OfferAnswerResult result = Create().CreateAnswer("hello");
        Assert.Equal(400, result.StatusCode);
        Assert.StartsWith("bad SDP", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Telephone_event_keeps_the_peers_payload_type_and_matches_the_codec_clock()
    {
        SdpNegotiator negotiator = Create(MediaFormat.Opus, MediaFormat.Pcmu, MediaFormat.TelephoneEvent);
        OfferAnswerResult result = negotiator.CreateAnswer(Offer(
            "m=audio 5000 RTP/AVP 109 0 100 98",
            "rtpmap:109 opus/48000/2", "fmtp:109 useinbandfec=1;maxplaybackrate=16000",
            "rtpmap:100 telephone-event/8000", "fmtp:100 0-15",
            "rtpmap:98 telephone-event/48000", "ptime:40"));
        Assert.True(result.Succeeded);
        SessionDescription answer = Parse(result.Sdp!);
        Assert.Equal(["109", "98"], answer.Media[0].Formats);
        NegotiatedMedia media = negotiator.Media!;
        Assert.Equal(new MediaFormat(109, "opus", 48000, 2, "useinbandfec=1;maxplaybackrate=16000"), media.SendFormat);
        Assert.Equal(98, media.SendTelephoneEventPayloadType);
        Assert.Equal(98, media.ReceiveTelephoneEventPayloadType);
        Assert.Equal(40, media.PacketTime);
        Assert.Contains(answer.Media[0].Attributes, a => a.Name == "ptime" && a.Value == "20");
    }

    [Fact]
    public void Rtcp_mux_is_accepted_when_offered_and_a_rtcp_port_is_used_otherwise()
    {
        SdpNegotiator muxed = Create();
        Assert.True(muxed.CreateAnswer(Offer("m=audio 5000 RTP/AVP 0", "rtcp-mux")).Succeeded);
        Assert.True(muxed.Media!.RtcpMux);
        Assert.Equal(muxed.Media.RemoteRtp, muxed.Media.RemoteRtcp);

        SdpNegotiator separate = Create();
        OfferAnswerResult result = separate.CreateAnswer(Offer("m=audio 5000 RTP/AVP 0", "rtcp:53020 IN IP4 198.51.100.7"));
        Assert.False(Parse(result.Sdp!).Media[0].HasAttribute("rtcp-mux"));
        Assert.Equal(53020, separate.Media!.RemoteRtcp!.Port);
    }

    [Fact]
    public void Ipv6_offers_and_local_addresses_use_in_ip6()
    {
        SdpNegotiator negotiator = Create(IPAddress.IPv6Loopback, SrtpPolicy.Disabled);
        string offer = "v=0\r\no=peer 1 1 IN IP6 2001:db8::7\r\ns=-\r\nc=IN IP6 2001:db8::7\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8\r\n";
        OfferAnswerResult result = negotiator.CreateAnswer(offer);
        Assert.True(result.Succeeded);
        Assert.Equal(new SdpConnection("IP6", "::1"), Parse(result.Sdp!).Connection);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 6000), negotiator.Media!.RemoteRtp);
    }

    [Fact]
    public void Declined_audio_in_the_offer_is_declined_in_the_answer()
    {
        SdpNegotiator negotiator = Create();
        OfferAnswerResult result = negotiator.CreateAnswer(Offer("m=audio 0 RTP/AVP 0"));
        Assert.True(result.Succeeded);
        Assert.Equal(0, Parse(result.Sdp!).Media[0].Port);
        Assert.Null(negotiator.Media);
    }

    [Theory]
    [InlineData("sendonly", "recvonly", MediaDirection.ReceiveOnly)]
    [InlineData("recvonly", "sendonly", MediaDirection.SendOnly)]
    [InlineData("inactive", "inactive", MediaDirection.Inactive)]
    [InlineData("sendrecv", "sendrecv", MediaDirection.SendReceive)]
    public void Answer_direction_mirrors_the_offer(string offered, string answered, MediaDirection ours)
    {
        SdpNegotiator negotiator = Create();
        OfferAnswerResult result = negotiator.CreateAnswer(Offer("m=audio 5000 RTP/AVP 0", offered));
        Assert.Equal(ours, Parse(result.Sdp!).Media[0].Direction);
        Assert.Equal(answered, MediaDescription.DirectionName(ours));
        Assert.Equal(ours, negotiator.Media!.Direction);
    }

    [Fact]
    public void Rfc_2543_hold_address_means_do_not_send()
    {
        SdpNegotiator negotiator = Create();
        string offer = "v=0\r\no=peer 1 2 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";
        Assert.True(negotiator.CreateAnswer(offer).Succeeded);
        Assert.Equal(MediaDirection.ReceiveOnly, negotiator.Media!.Direction);
        Assert.Null(negotiator.Media.RemoteRtp);
    }

    [Fact]
    public void Hold_and_resume_as_offerer_follow_rfc_4317_section_3_1()
    {
        SdpNegotiator alice = Create();
        SdpNegotiator bob = Create(IPAddress.Parse("192.0.2.20"), SrtpPolicy.Disabled);

        string offer = alice.CreateOffer();
        SessionDescription first = Parse(offer);
        Assert.Equal(MediaDirection.SendReceive, first.Media[0].Direction);
        Assert.Equal(["0", "8", "101"], first.Media[0].Formats);
        Assert.True(alice.ApplyAnswer(bob.CreateAnswer(offer).Sdp!).Succeeded);
        Assert.Equal(MediaDirection.SendReceive, alice.Media!.Direction);

        // Unchanged re-offer: same version (RFC 3264 §8).
        string same = alice.CreateOffer();
        Assert.Equal(first.Origin.SessionVersion, Parse(same).Origin.SessionVersion);
        Assert.True(alice.ApplyAnswer(bob.CreateAnswer(same).Sdp!).Succeeded);

        alice.Hold();
        string hold = alice.CreateOffer();
        SessionDescription held = Parse(hold);
        Assert.Equal(MediaDirection.SendOnly, held.Media[0].Direction);
        Assert.Equal(first.Origin.SessionVersion + 1, held.Origin.SessionVersion);
        OfferAnswerResult bobAnswer = bob.CreateAnswer(hold);
        Assert.Equal(MediaDirection.ReceiveOnly, Parse(bobAnswer.Sdp!).Media[0].Direction);
        Assert.Equal(MediaDirection.ReceiveOnly, bob.Media!.Direction);
        Assert.True(alice.ApplyAnswer(bobAnswer.Sdp!).Succeeded);
        Assert.Equal(MediaDirection.SendOnly, alice.Media!.Direction);

        alice.Resume();
        SessionDescription resumed = Parse(alice.CreateOffer());
        Assert.Equal(MediaDirection.SendReceive, resumed.Media[0].Direction);
        Assert.Equal(first.Origin.SessionVersion + 2, resumed.Origin.SessionVersion);
        Assert.True(alice.ApplyAnswer(bob.CreateAnswer(resumed.ToString()).Sdp!).Succeeded);
        Assert.Equal(MediaDirection.SendReceive, alice.Media!.Direction);
        Assert.Equal(MediaDirection.SendReceive, bob.Media!.Direction);
    }

    [Fact]
    public void Holding_a_stream_we_only_receive_offers_inactive()
    {
        SdpNegotiator negotiator = Create();
        negotiator.CreateAnswer(Offer("m=audio 5000 RTP/AVP 0", "sendonly"));
        negotiator.Hold();
        Assert.Equal(MediaDirection.Inactive, Parse(negotiator.CreateOffer()).Media[0].Direction);
    }

    [Fact]
    public void Answer_with_a_different_dynamic_payload_type_is_honoured()
    {
        SdpNegotiator negotiator = Create(MediaFormat.Opus, MediaFormat.TelephoneEvent);
        negotiator.CreateOffer();
        OfferAnswerResult result = negotiator.ApplyAnswer(Offer(
            "m=audio 7000 RTP/AVP 96 97", "rtpmap:96 opus/48000/2", "rtpmap:97 telephone-event/8000", "rtcp-mux"));
        Assert.True(result.Succeeded, result.Error);
        NegotiatedMedia media = negotiator.Media!;
        Assert.Equal(96, media.SendFormat.PayloadType);
        Assert.Equal(111, media.ReceivePayloadType);
        Assert.Equal(97, media.SendTelephoneEventPayloadType);
        Assert.Equal(101, media.ReceiveTelephoneEventPayloadType);
        Assert.True(media.RtcpMux);
    }

    [Fact]
    public void Bad_answers_are_refused_and_leave_media_unchanged()
    {
        SdpNegotiator negotiator = Create();
        Assert.Equal(500, negotiator.ApplyAnswer(Offer("m=audio 7000 RTP/AVP 0")).StatusCode);

        negotiator.CreateOffer();
        OfferAnswerResult wrongCodec = negotiator.ApplyAnswer(Offer("m=audio 7000 RTP/AVP 18"));
        Assert.False(wrongCodec.Succeeded);
        Assert.Equal("answer has no codec that was offered", wrongCodec.Error);
        OfferAnswerResult twoLines = negotiator.ApplyAnswer(Offer("m=audio 7000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31"));
        Assert.False(twoLines.Succeeded);
        Assert.Null(negotiator.Media);
        Assert.True(negotiator.HasPendingOffer);
        Assert.True(negotiator.ApplyAnswer(Offer("m=audio 7000 RTP/AVP 8")).Succeeded);
        Assert.Equal(MediaFormat.Pcma, negotiator.Media!.SendFormat);
        Assert.False(negotiator.HasPendingOffer);
    }

    [Fact]
    public void Re_offer_keeps_declined_m_lines_in_place()
    {
        SdpNegotiator negotiator = Create();
        negotiator.CreateAnswer(Rfc3264Offer);
        SessionDescription reoffer = Parse(negotiator.CreateOffer());
        Assert.Equal(3, reoffer.Media.Count);
        Assert.Equal(40000, reoffer.Media[0].Port);
        Assert.Equal(0, reoffer.Media[1].Port);
        Assert.Equal(0, reoffer.Media[2].Port);

        // A later offer may not drop m-lines (RFC 3264 §8).
        Assert.Equal(488, negotiator.CreateAnswer(Offer("m=audio 5000 RTP/AVP 0")).StatusCode);
    }

    [Fact]
    public void Srtp_sdes_keys_cross_over_between_offerer_and_answerer()
    {
        SdpNegotiator alice = Create(IPAddress.Loopback, SrtpPolicy.Required);
        SdpNegotiator bob = Create(IPAddress.Loopback, SrtpPolicy.Optional);
        string offer = alice.CreateOffer();
        SessionDescription parsed = Parse(offer);
        Assert.Equal("RTP/SAVP", parsed.Media[0].Protocol);
        Assert.Equal(2, parsed.Media[0].Attributes.Count(a => a.Name == "crypto"));

        OfferAnswerResult answer = bob.CreateAnswer(offer);
        Assert.True(answer.Succeeded, answer.Error);
        Assert.True(alice.ApplyAnswer(answer.Sdp!).Succeeded);
        SrtpKeys a = alice.Media!.Srtp!;
        SrtpKeys b = bob.Media!.Srtp!;
        Assert.Equal(SrtpCryptoSuite.AesCm128HmacSha1_80, a.Suite);
        Assert.Equal(a.Suite, b.Suite);
        Assert.Equal(a.LocalMasterKey.ToArray(), b.RemoteMasterKey.ToArray());
        Assert.Equal(a.RemoteMasterKey.ToArray(), b.LocalMasterKey.ToArray());
        Assert.NotEqual(a.LocalMasterKey.ToArray(), a.RemoteMasterKey.ToArray());
    }

    [Fact]
    public void Srtp_policy_refuses_what_it_must()
    {
        OfferAnswerResult plainToRequired = Create(IPAddress.Loopback, SrtpPolicy.Required).CreateAnswer(Offer("m=audio 5000 RTP/AVP 0"));
        Assert.Equal((488, "SRTP required"), (plainToRequired.StatusCode, plainToRequired.Error));
        string secure = Create(IPAddress.Loopback, SrtpPolicy.Required).CreateOffer();
        OfferAnswerResult secureToDisabled = Create().CreateAnswer(secure);
        Assert.Equal((488, "SRTP not enabled"), (secureToDisabled.StatusCode, secureToDisabled.Error));
        OfferAnswerResult noKey = Create(IPAddress.Loopback, SrtpPolicy.Optional).CreateAnswer(Offer("m=audio 5000 RTP/SAVP 0"));
        Assert.Equal("no usable a=crypto", noKey.Error);
    }

    [Fact]
    public void Offered_srtp_is_best_effort_keyed_when_the_answer_keys_it_plain_when_not()
    {
        // "offered": RTP/AVP with a=crypto (as baresip's optional "srtp" offers), so a peer without SRTP still answers.
        SdpNegotiator alice = Create(IPAddress.Loopback, SrtpPolicy.Optional);
        string offer = alice.CreateOffer();
        Assert.Equal("RTP/AVP", Parse(offer).Media[0].Protocol);
        Assert.Equal(2, Parse(offer).Media[0].Attributes.Count(a => a.Name == "crypto"));

        SdpNegotiator plainPeer = Create(IPAddress.Loopback, SrtpPolicy.Disabled);
        OfferAnswerResult plain = plainPeer.CreateAnswer(offer);
        Assert.True(plain.Succeeded, plain.Error);
        Assert.DoesNotContain(Parse(plain.Sdp!).Media[0].Attributes, a => a.Name == "crypto");
        Assert.True(alice.ApplyAnswer(plain.Sdp!).Succeeded);
        Assert.Null(alice.Media!.Srtp);

        SdpNegotiator carol = Create(IPAddress.Loopback, SrtpPolicy.Optional);
        offer = carol.CreateOffer();
        SdpNegotiator securePeer = Create(IPAddress.Loopback, SrtpPolicy.Optional);
        OfferAnswerResult keyed = securePeer.CreateAnswer(offer);
        Assert.True(keyed.Succeeded, keyed.Error);
        Assert.Equal("RTP/AVP", Parse(keyed.Sdp!).Media[0].Protocol);
        Assert.True(carol.ApplyAnswer(keyed.Sdp!).Succeeded);
        Assert.Equal(carol.Media!.Srtp!.LocalMasterKey.ToArray(), securePeer.Media!.Srtp!.RemoteMasterKey.ToArray());
        Assert.Equal(carol.Media.Srtp.RemoteMasterKey.ToArray(), securePeer.Media.Srtp.LocalMasterKey.ToArray());
    }

    [Fact]
    public void Required_srtp_accepts_a_best_effort_offer_that_keys_it()
    {
        string offer = Create(IPAddress.Loopback, SrtpPolicy.Optional).CreateOffer();
        OfferAnswerResult answer = Create(IPAddress.Loopback, SrtpPolicy.Required).CreateAnswer(offer);
        Assert.True(answer.Succeeded, answer.Error);
        Assert.Contains(Parse(answer.Sdp!).Media[0].Attributes, a => a.Name == "crypto");
    }
}
