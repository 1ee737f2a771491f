using Intercom.Station;
using Intercom.Station.Configuration;
using Intercom.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Intercom.Web.Tests;

/// <summary>
/// The station's own page is a door phone: logged in, it registers over the station's WebSocket with its session (no
/// digest), the call button rings it (ring-group target web:admin), it answers with WebRTC (Chromium's fake microphone),
/// audio goes both ways, its Open door button pulses the door relay, and either side hangs up. Two pages ring; the one
/// that answers wins and the other stops ringing.
/// </summary>
public sealed class StationPagePhoneTests
{
    private const int Rate = 48000;
    private const double PageToneHz = 600;
    private const double StationToneHz = 1500;

    private static Task<StationWeb> StartAsync(string directory) => StationWeb.StartAsync(c =>
    {
        c.Web.Https = true;
        c.Web.SipWebSocket = true;
        c.Station.RingGroups[0] = new RingGroupConfig { Id = "residents", Targets = ["web:admin"], RingTimeoutSeconds = 60 };
        c.Audio.Driver = "wav";
        c.Audio.SampleRate = Rate;
        c.Audio.EchoControl = "off";
        c.Audio.CaptureWavPath = Path.Combine(directory, "station-tone.wav");
        c.Audio.PlaybackWavPath = Path.Combine(directory, "speaker.wav");
    });

    private static string NewDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("intercom-pagephone-").FullName;
        SpeakerTone.Write(Path.Combine(directory, "page-tone.wav"), PageToneHz, Rate);
        SpeakerTone.Write(Path.Combine(directory, "station-tone.wav"), StationToneHz, Rate);
        return directory;
    }

    private static async Task ReadyAsync(StationWeb web, WebRtcClientBrowser browser, IPage page)
    {
        try
        {
            await Expect(page.Locator("#phone-state")).ToHaveTextAsync("Door phone ready", new() { Timeout = 20_000 });
        }
        catch (PlaywrightException e)
        {
            Assert.Fail($"{e.Message}\n{browser.ErrorText()}\n" + string.Join('\n', web.Logs.Lines.Where(l => !l.StartsWith("Trace", StringComparison.Ordinal)).TakeLast(30)));
        }
    }

    private static async Task SetUpAsync(StationWeb web, IPage page)
    {
        await page.GotoAsync(web.Address.ToString());
        await page.FillAsync("#setup-secret", StationWeb.SetupSecretOf(web.Directory));
        await page.FillAsync("#setup-password", StationWeb.AdminPassword);
        await page.FillAsync("#setup-repeat", StationWeb.AdminPassword);
        await page.ClickAsync("#setup-form button");
    }

    private static async Task LogInAsync(StationWeb web, IPage page)
    {
        await page.GotoAsync(web.Address.ToString());
        await page.FillAsync("#login-password", StationWeb.AdminPassword);
        await page.ClickAsync("#login-button");
    }

    private static async Task AnswerAsync(StationWeb web, IPage page)
    {
        await Expect(page.Locator("#phone-state")).ToHaveTextAsync("Someone is at the door");
        await page.ClickAsync("#phone-answer");
        await Expect(page.Locator("#phone-state")).ToHaveTextAsync("In a call with the door");
        await Eventually.UntilAsync(() => web.App.Station.CallState == StationCallState.InCall, "the station to be in the call", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task The_logged_in_page_rings_answers_hears_and_is_heard_opens_the_door_and_either_side_hangs_up()
    {
        var directory = NewDirectory();
        var web = await StartAsync(directory);
        try
        {
            await using var browser = await WebRtcClientBrowser.LaunchAsync(Path.Combine(directory, "page-tone.wav"));
            var page = await browser.NewPageAsync();
            await SetUpAsync(web, page);
            await ReadyAsync(web, browser, page);
            var binding = Assert.Single(web.App.Sip.Agent.BrowserPhones!.Find("admin"));
            Assert.Equal(Intercom.Sip.Transport.SipTransportProtocol.Wss, binding.Flow.Protocol);

            web.App.SimulatedBoard!.PressButton("button1");
            await AnswerAsync(web, page);

            // The page hears the station's microphone: a WebAudio analyser on the phone's audio element.
            string heard = "";
            await Eventually.UntilAsync(async () =>
            {
                var level = await page.EvaluateAsync<double[]>($$"""
                    async () => {
                      if (!window.testAnalyser) {
                        const context = new AudioContext();
                        await context.resume();
                        const source = context.createMediaStreamSource(document.getElementById('phone-audio').srcObject);
                        window.testAnalyser = context.createAnalyser();
                        window.testAnalyser.fftSize = 8192;
                        window.testRate = context.sampleRate;
                        source.connect(window.testAnalyser);
                        await new Promise(r => setTimeout(r, 500));
                      }
                      const bins = new Float32Array(window.testAnalyser.frequencyBinCount);
                      window.testAnalyser.getFloatFrequencyData(bins);
                      const binHz = window.testRate / window.testAnalyser.fftSize;
                      let peak = 0;
                      for (let i = 1; i < bins.length; i++) if (bins[i] > bins[peak]) peak = i;
                      return [bins[Math.round({{StationToneHz}} / binHz)], peak * binHz];
                    }
                    """);
                heard = $"{level[0]:F1} dB at {StationToneHz} Hz, peak at {level[1]:F0} Hz";
                return Math.Abs(level[1] - StationToneHz) < 30 && level[0] > -60;
            }, "the page to hear the station's tone", TimeSpan.FromSeconds(20), () => heard);

            // The station decodes three seconds of the page's microphone (its tone is checked at the speaker below).
            await Eventually.UntilAsync(() => web.App.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 150,
                "3 s of the page's audio decoded at the station", TimeSpan.FromSeconds(20));

            // Open door, in the call: the door relay pulses, logged as opened from the web page.
            var opened = web.RelayEnergised("door");
            await page.ClickAsync("#phone-open");
            await opened.WaitAsync(TimeSpan.FromSeconds(20));
            await Eventually.UntilAsync(() => web.Logs.Lines.Any(l => l.Contains("web page", StringComparison.Ordinal) && l.Contains("door", StringComparison.Ordinal)),
                "the opening to be logged as the web page's", TimeSpan.FromSeconds(10));

            // The station hangs up: the page is back to ready.
            web.App.Station.HangUp("test");
            await Expect(page.Locator("#phone-state")).ToHaveTextAsync("Door phone ready");
            await Eventually.UntilAsync(() => web.App.Calls.ActiveLegs == 0, "the station's leg to end", TimeSpan.FromSeconds(10));

            // Rung again; this time the page hangs up.
            web.App.SimulatedBoard!.PressButton("button1");
            await AnswerAsync(web, page);
            await page.ClickAsync("#phone-hangup");
            await Eventually.UntilAsync(() => web.App.Station.CallState == StationCallState.Idle, "the station to end the call", TimeSpan.FromSeconds(10));
        }
        finally
        {
            await web.DisposeAsync();
        }

        // The station's speaker (WAV driver, complete once the station stopped) played the page's tone.
        var (seconds, total) = SpeakerTone.Measure(Path.Combine(directory, "speaker.wav"), PageToneHz);
        Assert.True(seconds >= 2, $"the station's speaker played {seconds:F2} s of the page's {PageToneHz} Hz in {total:F2} s");
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Two_pages_ring_the_one_that_answers_wins_and_the_other_stops_ringing()
    {
        var directory = NewDirectory();
        await using var web = await StartAsync(directory);
        await using var browser = await WebRtcClientBrowser.LaunchAsync(Path.Combine(directory, "page-tone.wav"));
        var first = await browser.NewPageAsync();
        await SetUpAsync(web, first);
        await ReadyAsync(web, browser, first);
        var second = await browser.NewPageAsync();
        await LogInAsync(web, second);
        await ReadyAsync(web, browser, second);
        Assert.Equal(2, web.App.Sip.Agent.BrowserPhones!.Count);

        web.App.SimulatedBoard!.PressButton("button1");
        await Expect(first.Locator("#phone-state")).ToHaveTextAsync("Someone is at the door");
        await AnswerAsync(web, second);

        // The first page gets the station's CANCEL and stops ringing; the station keeps the answered leg only.
        await Expect(first.Locator("#phone-state")).ToHaveTextAsync("Door phone ready");
        await Expect(first.Locator("#phone-answer")).ToBeHiddenAsync();
        await Eventually.UntilAsync(() => web.App.Calls.ActiveLegs == 1, "the cancelled leg to end (487)", TimeSpan.FromSeconds(10));
        Assert.Equal(StationCallState.InCall, web.App.Station.CallState);

        await second.ClickAsync("#phone-hangup");
        await Eventually.UntilAsync(() => web.App.Station.CallState == StationCallState.Idle, "the station to end the call", TimeSpan.FromSeconds(10));
        Directory.Delete(directory, recursive: true);
    }
}
