using Intercom.Configuration;
using Intercom.TestSupport;
using Microsoft.Playwright;

namespace Intercom.Web.Tests;

/// <summary>
/// An external WebRTC SIP client — SIP.js 0.21.2 from npm (tests/Intercom.Web.Tests/WebRtcClient, test-only) in headless
/// Chromium with a fake microphone playing a tone — calls the station over wss://…/sip (RFC 7118) with a digest login
/// (sip.incomingAuth). The station answers with DTLS-SRTP, ICE and Opus (UDP/TLS/RTP/SAVPF, as the browser requires);
/// a WebAudio analyser on the browser's received stream hears the station's tone (its microphone on the WAV driver), the
/// door code sent as SIP INFO pulses the door relay, the browser's hang-up ends the station's call, and the station's
/// speaker (WAV driver) played the browser's tone.
/// </summary>
public sealed class WebRtcClientTests
{
    private const string DigestUser = "resident";
    private const string DigestPassword = "Browser-Digest-42x";
    private const int Rate = 48000;
    private const double BrowserToneHz = 600;
    private const double StationToneHz = 1500;

    // Sent as RFC 4733 events (Chromium's RTCDTMFSender), where the door code goes as SIP INFO: no symbol of the door
    // code, so the station's DtmfDeduplicator takes none of its digits for an INFO digit arriving twice.
    private const string GateCode = "8024685";

    [Fact]
    public async Task SIP_js_calls_the_station_over_wss_hears_it_and_its_door_code_opens_the_door()
    {
        var directory = Directory.CreateTempSubdirectory("intercom-webrtc-").FullName;
        var browserTone = Path.Combine(directory, "browser-tone.wav");
        var stationTone = Path.Combine(directory, "station-tone.wav");
        SpeakerTone.Write(browserTone, BrowserToneHz, Rate);
        SpeakerTone.Write(stationTone, StationToneHz, Rate);
        var speaker = Path.Combine(directory, "speaker.wav");

        var web = await StationWeb.StartAsync(c =>
        {
            c.Web.Https = true;
            c.Web.SipWebSocket = true;
            c.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Realm = "door", Username = DigestUser, Password = DigestPassword };
            c.Station.Incoming.Allowlist = ["sip:resident@127.0.0.1"];
            c.Station.Incoming.AutoAnswer = true;
            // No announcement beep: the browser should hear the station's microphone tone alone.
            c.Station.Incoming.AnnouncementBeep = false;
            c.Accounts[0].Srtp = "dtls-srtp";
            c.Media.Codecs = ["opus", "pcmu"];
            c.Audio.Driver = "wav";
            c.Audio.SampleRate = Rate;
            c.Audio.EchoControl = "off";
            c.Audio.CaptureWavPath = stationTone;
            c.Audio.PlaybackWavPath = speaker;
            c.Station.Codes.Add(new Intercom.Station.Configuration.CodeConfig { Id = "gate-by-events", Code = GateCode, Relay = "gate" });
        });
        try
        {
            await CallAsync(web, browserTone);
            Assert.DoesNotContain(web.Logs.Lines, l => l.Contains(StationWeb.DoorCode, StringComparison.Ordinal));
        }
        finally
        {
            await web.DisposeAsync();
        }

        // The station's speaker (the WAV driver, complete once the station stopped) played the browser's tone: its RTP
        // arrives on the pair Chromium prefers, which need not be the one the station selected (RFC 8445 §12.1).
        var (seconds, total) = SpeakerTone.Measure(speaker, BrowserToneHz);
        Assert.True(seconds >= 2, $"the station's speaker played {seconds:F2} s of the browser's {BrowserToneHz} Hz in {total:F2} s");
        Directory.Delete(directory, recursive: true);
    }

    private static async Task CallAsync(StationWeb web, string browserTone)
    {
        var doorOpened = web.RelayEnergised("door");

        await using var browser = await WebRtcClientBrowser.LaunchAsync(browserTone);
        var page = await browser.OpenClientAsync(web);
        await page.WaitForFunctionAsync("() => typeof window.startCall === 'function'");

        await page.EvaluateAsync("a => window.startCall(a[0], a[1], a[2], a[3], a[4])",
            new[] { $"wss://{web.Address.Authority}/sip", "sip:resident@127.0.0.1", DigestUser, DigestPassword, "sip:door@127.0.0.1" });
        try
        {
            await page.WaitForFunctionAsync("() => window.clientState.answered || window.clientState.error !== null", null,
                new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            // Reported below with what the browser and the station said.
        }

        Assert.True(await page.EvaluateAsync<bool>("() => window.clientState.answered"),
            $"the call was not answered: {await page.EvaluateAsync<string>("() => String(window.clientState.error)")}\n{browser.ErrorText()}\n"
            + string.Join('\n', web.Logs.Lines.Where(l => !l.StartsWith("Trace", StringComparison.Ordinal)).TakeLast(40)));

        // The browser hears the station's tone: bounded polling of the analyser until the tone stands out.
        string heard = "";
        await Eventually.UntilAsync(async () =>
        {
            var level = await page.EvaluateAsync<ToneLevel>($"() => window.measureReceived({StationToneHz})");
            heard = $"{level.AtTone:F1} dB at {StationToneHz} Hz, peak {level.PeakHz:F0} Hz {level.PeakDb:F1} dB";
            return Math.Abs(level.PeakHz - StationToneHz) < 30 && level.AtTone > -60;
        }, "the browser to hear the station's tone", TimeSpan.FromSeconds(20), () => heard);

        // The door code, sent as SIP INFO (application/dtmf-relay) by SIP.js's SimpleUser.sendDTMF.
        Assert.True(await page.EvaluateAsync<bool>($"() => window.sendDigits('{StationWeb.DoorCode}')"), "no RTCDTMFSender on the call");
        await doorOpened.WaitAsync(TimeSpan.FromSeconds(20));

        // The gate's code as RFC 4733 telephone-events on the RTP, sent on the pair Chromium prefers (RFC 8445 §12.1).
        var gateOpened = web.RelayEnergised("gate");
        Assert.True(await page.EvaluateAsync<bool>($"() => window.sendDigitsRtp('{GateCode}')"), "no RTCDTMFSender on the call");
        await gateOpened.WaitAsync(TimeSpan.FromSeconds(20));

        // Three seconds of the browser's audio decoded at the station before the browser hangs up (checked at the speaker
        // after the call: it must be the browser's tone).
        await Eventually.UntilAsync(() => web.App.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 150,
            "3 s of the browser's audio decoded at the station", TimeSpan.FromSeconds(20),
            () => $"{web.App.Calls.MediaSessions.FirstOrDefault()?.Rtp.WrongSourcePackets} packets from a wrong source");
        await page.EvaluateAsync("() => window.hangUp()");
        await page.WaitForFunctionAsync("() => window.clientState.hungUp");
        await Eventually.UntilAsync(() => web.App.Station.CallState == Station.StationCallState.Idle, "the station to end the call", TimeSpan.FromSeconds(10));
    }

    private sealed class ToneLevel
    {
        public double AtTone { get; set; }

        public double PeakHz { get; set; }

        public double PeakDb { get; set; }
    }
}
