using Intercom.Interop.Tests.Peers;
using Intercom.Media.Dtls;
using Intercom.Station.Logging;

namespace Intercom.Interop.Tests.Media;

/// <summary>
/// DTLS-SRTP (RFC 5763/5764) with baresip's dtls_srtp module through Kamailio: the station's account says
/// <c>"srtp": "dtls-srtp"</c> over plain UDP signalling, baresip's <c>mediaenc=dtls_srtp</c>; the handshake runs on the
/// RTP ports, both tones cross, and the code keyed as RFC 4733 events inside SRTP opens the door.
/// </summary>
public sealed partial class CallAudioTests
{
    [Fact]
    public async Task Dtls_srtp_with_baresip_carries_the_tones_both_ways_and_the_code_opens_the_door()
    {
        var devices = AlsaFileDevices.WithTone(Path.Combine(_dir, "devices"), Rate, 1000);
        await using var resident = await StartResident("audio_codecs=PCMU;mediaenc=dtls_srtp");
        using (var app = StartStation(devices, config => config.Accounts[0].Srtp = "dtls-srtp"))
        {
            await WaitUntil(() => app.Registrations[0].Status.State == Intercom.Sip.UserAgent.Registration.RegistrationState.Registered, "registration");
            app.SimulatedBoard!.PressButton("button1");
            await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
            await WaitUntil(() => app.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 150, "150 frames played");
            var media = app.Calls.MediaSessions.Single();
            var agreed = media.OfferAnswer.Negotiator.Media!;
            Assert.NotNull(agreed.Dtls);
            Assert.Null(agreed.Srtp);
            Assert.Equal(DtlsState.Connected, media.Rtp.Dtls!.State);
            var keys = media.Rtp.Dtls.Keys!;
            output.WriteLine($"DTLS {media.Rtp.Dtls.Role} ({agreed.Dtls.RemoteFingerprint.Algorithm}), SRTP {keys.Suite}, {media.Rtp.DtlsPacketsReceived} DTLS datagrams in, "
                + $"{media.Rtp.PacketsReceived} RTP packets authenticated, {media.Rtp.RtcpPacketsReceived} RTCP, {media.Rtp.SrtpFailures} refused");
            Assert.True(media.Rtp.DtlsPacketsReceived > 0);
            // Every packet delivered went through the exported keys' authentication; what came before them was refused.
            Assert.True(media.Rtp.PacketsReceived > 100);
            Assert.InRange(media.Rtp.SrtpFailures, 0, 50);

            await resident.CommandAsync("sndcode", "1234");
            await WaitUntil(() => app.SimulatedBoard.RelayTransitions.Any(t => t.RelayId == "door" && t.Energised), "door opened by 1234 over DTLS-SRTP");
            Assert.Contains(_events, e => e.Kind == StationEventKind.CodeAccepted);
            await resident.CommandAsync("hangup");
            await resident.WaitForEventAsync("CALL_CLOSED", Wait);
        }

        // baresip's dtls_srtp takes no plain RTP: hearing our tone proves it decrypted with the keys both ends exported.
        AssertBaresipHeard(resident, 1000);
        AssertWeHeard(devices, 440);
    }

    [Fact]
    public async Task Dtls_srtp_when_baresip_calls_the_station_which_answers_as_the_active_end()
    {
        var devices = AlsaFileDevices.WithTone(Path.Combine(_dir, "devices"), Rate, 1000);
        await using var resident = await StartResident("audio_codecs=PCMU;mediaenc=dtls_srtp");
        using (var app = StartStation(devices, config =>
        {
            config.Accounts[0].Srtp = "dtls-srtp";
            config.Station.Incoming = new Intercom.Station.Configuration.IncomingConfig
            {
                Allowlist = [$"sip:resident@127.0.0.1:{_kamailio.UdpPort}"], AutoAnswer = true,
            };
        }))
        {
            await WaitUntil(() => app.Registrations[0].Status.State == Intercom.Sip.UserAgent.Registration.RegistrationState.Registered, "registration");
            await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{_kamailio.UdpPort}");
            await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
            await WaitUntil(() => app.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 150, "150 frames played");
            var media = app.Calls.MediaSessions.Single();
            Assert.Equal(DtlsRole.Client, media.Rtp.Dtls!.Role);
            Assert.Equal(DtlsState.Connected, media.Rtp.Dtls.State);
            output.WriteLine($"DTLS {media.Rtp.Dtls.Role}, SRTP {media.Rtp.Dtls.Keys!.Suite}, {media.Rtp.DtlsPacketsReceived} DTLS datagrams in, "
                + $"{media.Rtp.PacketsReceived} RTP packets authenticated, {media.Rtp.SrtpFailures} refused");
            Assert.True(media.Rtp.PacketsReceived > 100);
            await resident.CommandAsync("sndcode", "1234");
            await WaitUntil(() => app.SimulatedBoard!.RelayTransitions.Any(t => t.RelayId == "door" && t.Energised), "door opened by 1234 over DTLS-SRTP");
            await resident.CommandAsync("hangup");
            await resident.WaitForEventAsync("CALL_CLOSED", Wait);
        }

        AssertBaresipHeard(resident, 1000);
        AssertWeHeard(devices, 440);
    }
}
