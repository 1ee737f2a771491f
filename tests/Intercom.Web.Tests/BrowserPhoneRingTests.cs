using Intercom.Configuration;
using Intercom.Station;
using Intercom.Station.Configuration;
using Intercom.TestSupport;
using Microsoft.Playwright;

namespace Intercom.Web.Tests;

/// <summary>
/// The station rings browser phones: SIP.js 0.21.2 (test-only, tests/Intercom.Web.Tests/WebRtcClient) in headless
/// Chromium registers over wss://…/sip with the incoming digest (RFC 7118 §5, RFC 3261 §10.3), the call button rings the
/// ring group's "web" target, and the station's INVITE goes over that WebSocket with a WebRTC offer — although the
/// account's SRTP setting is off: a browser takes nothing else. Two-way audio is checked as in WebRtcClientTests.
/// </summary>
public sealed class BrowserPhoneRingTests
{
    private const string DigestUser = "resident";
    private const string DigestPassword = "Browser-Digest-42x";
    private const int Rate = 48000;
    private const double BrowserToneHz = 600;
    private const double StationToneHz = 1500;

    private static Task<StationWeb> StartAsync(string directory, string target) => StationWeb.StartAsync(c =>
    {
        c.Web.Https = true;
        c.Web.SipWebSocket = true;
        c.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Realm = "door", Username = DigestUser, Password = DigestPassword };
        c.Station.RingGroups[0] = new RingGroupConfig { Id = "residents", Targets = [target], RingTimeoutSeconds = 60 };
        c.Audio.Driver = "wav";
        c.Audio.SampleRate = Rate;
        c.Audio.EchoControl = "off";
        c.Audio.CaptureWavPath = Path.Combine(directory, "station-tone.wav");
        c.Audio.PlaybackWavPath = Path.Combine(directory, "speaker.wav");

        // StationWeb's account has no SRTP and media.codecs is ["pcmu"]: the browser's leg offers DTLS-SRTP with Opus first anyway.
    });

    private static string NewDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("intercom-webphone-").FullName;
        SpeakerTone.Write(Path.Combine(directory, "browser-tone.wav"), BrowserToneHz, Rate);
        SpeakerTone.Write(Path.Combine(directory, "station-tone.wav"), StationToneHz, Rate);
        return directory;
    }

    private static async Task RegisterAsync(StationWeb web, WebRtcClientBrowser browser, IPage page)
    {
        await page.EvaluateAsync("a => window.register(a[0], a[1], a[2], a[3])",
            new[] { $"wss://{web.Address.Authority}/sip", "sip:resident@127.0.0.1", DigestUser, DigestPassword });
        try
        {
            await page.WaitForFunctionAsync("() => window.clientState.registered || window.clientState.error !== null", null,
                new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            // Reported below.
        }

        Assert.True(await page.EvaluateAsync<bool>("() => window.clientState.registered"),
            $"not registered: {await page.EvaluateAsync<string>("() => String(window.clientState.error)")}\n{browser.ErrorText()}\n{StationLog(web)}");
    }

    private static async Task AnswerAsync(StationWeb web, WebRtcClientBrowser browser, IPage page)
    {
        await page.WaitForFunctionAsync("() => window.clientState.ringing");
        await page.EvaluateAsync("() => window.answer()");
        try
        {
            await page.WaitForFunctionAsync("() => window.clientState.answered || window.clientState.error !== null", null,
                new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            // Reported below.
        }

        Assert.True(await page.EvaluateAsync<bool>("() => window.clientState.answered"),
            $"not answered: {await page.EvaluateAsync<string>("() => String(window.clientState.error)")}\n{browser.ErrorText()}\n{StationLog(web)}");
        await Eventually.UntilAsync(() => web.App.Station.CallState == StationCallState.InCall, "the station to be in the call", TimeSpan.FromSeconds(20));
    }

    private static string StationLog(StationWeb web) =>
        string.Join('\n', web.Logs.Lines.Where(l => !l.StartsWith("Trace", StringComparison.Ordinal)).TakeLast(40));

    [Fact]
    public async Task The_call_button_rings_a_registered_SIP_js_phone_which_answers_with_two_way_audio_and_either_side_hangs_up()
    {
        var directory = NewDirectory();
        var web = await StartAsync(directory, "web:resident");
        try
        {
            await using var browser = await WebRtcClientBrowser.LaunchAsync(Path.Combine(directory, "browser-tone.wav"));
            var page = await browser.OpenClientAsync(web);
            await RegisterAsync(web, browser, page);
            var binding = Assert.Single(web.App.Sip.Agent.BrowserPhones!.Find(DigestUser));
            Assert.Equal(Intercom.Sip.Transport.SipTransportProtocol.Wss, binding.Flow.Protocol);

            web.App.SimulatedBoard!.PressButton("button1");
            await AnswerAsync(web, browser, page);

            // The browser hears the station's microphone (bounded polling of its WebAudio analyser).
            string heard = "";
            await Eventually.UntilAsync(async () =>
            {
                var level = await page.EvaluateAsync<ToneLevel>($"() => window.measureReceived({StationToneHz})");
                heard = $"{level.AtTone:F1} dB at {StationToneHz} Hz, peak {level.PeakHz:F0} Hz {level.PeakDb:F1} dB";
                return Math.Abs(level.PeakHz - StationToneHz) < 30 && level.AtTone > -60;
            }, "the browser to hear the station's tone", TimeSpan.FromSeconds(20), () => heard);

            // Three seconds of the browser's audio decoded at the station (its tone checked at the speaker below).
            await Eventually.UntilAsync(() => web.App.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 150,
                "3 s of the browser's audio decoded at the station", TimeSpan.FromSeconds(20));
            var media = Assert.Single(web.App.Calls.MediaSessions);
            Assert.Equal("opus", media.OfferAnswer.Negotiator.Media!.SendFormat.EncodingName, ignoreCase: true);

            // The station hangs up: the browser's call ends.
            web.App.Station.HangUp("test");
            await page.WaitForFunctionAsync("() => window.clientState.hungUp");
            await Eventually.UntilAsync(() => web.App.Calls.ActiveLegs == 0, "the station's leg to end", TimeSpan.FromSeconds(10));

            // Rung again on the same registration; this time the browser hangs up.
            await page.EvaluateAsync("() => { window.clientState.hungUp = false; window.clientState.answered = false; }");
            web.App.SimulatedBoard!.PressButton("button1");
            await AnswerAsync(web, browser, page);
            await page.EvaluateAsync("() => window.simpleUser.hangup()");
            await Eventually.UntilAsync(() => web.App.Station.CallState == StationCallState.Idle, "the station to end the call", TimeSpan.FromSeconds(10));
        }
        finally
        {
            await web.DisposeAsync();
        }

        // The station's speaker (WAV driver, complete once the station stopped) played the browser's tone.
        var (seconds, total) = SpeakerTone.Measure(Path.Combine(directory, "speaker.wav"), BrowserToneHz);
        Assert.True(seconds >= 2, $"the station's speaker played {seconds:F2} s of the browser's {BrowserToneHz} Hz in {total:F2} s");
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Two_registered_phones_ring_the_first_to_answer_wins_and_the_other_is_cancelled()
    {
        var directory = NewDirectory();
        await using var web = await StartAsync(directory, "web");
        await using var browser = await WebRtcClientBrowser.LaunchAsync(Path.Combine(directory, "browser-tone.wav"));
        var first = await browser.OpenClientAsync(web);
        var second = await browser.OpenClientAsync(web);
        await RegisterAsync(web, browser, first);
        await RegisterAsync(web, browser, second);
        Assert.Equal(2, web.App.Sip.Agent.BrowserPhones!.Count);

        web.App.SimulatedBoard!.PressButton("button1");
        await first.WaitForFunctionAsync("() => window.clientState.ringing");
        await second.WaitForFunctionAsync("() => window.clientState.ringing");
        await AnswerAsync(web, browser, second);

        // The other phone gets the station's CANCEL and stops ringing; the station keeps one leg, the answered one.
        await first.WaitForFunctionAsync("() => window.clientState.hungUp && !window.clientState.ringing");
        Assert.False(await first.EvaluateAsync<bool>("() => window.clientState.answered"));
        await Eventually.UntilAsync(() => web.App.Calls.ActiveLegs == 1, "the cancelled leg to end (487)", TimeSpan.FromSeconds(10));
        Assert.Equal(StationCallState.InCall, web.App.Station.CallState);

        await second.EvaluateAsync("() => window.simpleUser.hangup()");
        await Eventually.UntilAsync(() => web.App.Station.CallState == StationCallState.Idle, "the station to end the call", TimeSpan.FromSeconds(10));
        Assert.Equal(1, await first.EvaluateAsync<int>("() => window.clientState.rings"));
        Directory.Delete(directory, recursive: true);
    }

    private sealed class ToneLevel
    {
        public double AtTone { get; set; }

        public double PeakHz { get; set; }

        public double PeakDb { get; set; }
    }
}
