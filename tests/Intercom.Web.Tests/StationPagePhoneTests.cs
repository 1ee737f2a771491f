using Intercom.Station;
using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Intercom.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Intercom.Web.Tests;

/// <summary>
/// The station's own page is a door phone: logged in, it registers over the station's WebSocket with its session (no
/// digest), the call button rings it (ring-group target web:admin), it answers with WebRTC (Chromium's fake microphone),
/// audio goes both ways, its Open door button opens the door as a right code in the call does (named as the web user),
/// its keypad keys codes as RFC 4733 events, and either side hangs up. Two pages ring; the one
/// that answers wins and the other stops ringing.
/// </summary>
public sealed class StationPagePhoneTests
{
    private const int Rate = 48000;
    private const double PageToneHz = 600;
    private const double StationToneHz = 1500;
    private const string GateCode = "2468";

    private static Task<StationWeb> StartAsync(string directory, bool autoAnswer = true) => StationWeb.StartAsync(c =>
    {
        c.Station.Incoming.AutoAnswer = autoAnswer;
        c.Station.Incoming.AnnouncementBeep = false;
        c.Web.Https = true;
        c.Web.SipWebSocket = true;
        c.Station.RingGroups[0] = new RingGroupConfig { Id = "residents", Targets = ["web:admin"], RingTimeoutSeconds = 60 };
        c.Station.Codes = [.. c.Station.Codes, new CodeConfig { Code = GateCode, Relay = "gate" }];
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

    /// <summary>The page hears the station's microphone: a WebAudio analyser on the phone's audio element.</summary>
    private static async Task HearsAsync(IPage page)
    {
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
    }

    /// <summary>
    /// A logged-in page (its phone ready) on a station playing its tone; <paramref name="call"/> does the rest. Afterwards the
    /// station's speaker (WAV driver, complete once the station stopped) must have played 2 s of the page's tone.
    /// </summary>
    private static async Task InACallAsync(Func<StationWeb, WebRtcClientBrowser, IPage, Task> call)
    {
        var directory = NewDirectory();
        var web = await StartAsync(directory);
        try
        {
            await using var browser = await WebRtcClientBrowser.LaunchAsync(Path.Combine(directory, "page-tone.wav"));
            var page = await browser.NewPageAsync();
            await SetUpAsync(web, page);
            await ReadyAsync(web, browser, page);
            await call(web, browser, page);
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
    public Task The_logged_in_page_rings_answers_hears_and_is_heard_opens_the_door_and_either_side_hangs_up() => InACallAsync(async (web, browser, page) =>
    {
        var binding = Assert.Single(web.App.Sip.Agent.BrowserPhones!.Find("admin"));
        Assert.Equal(Intercom.Sip.Transport.SipTransportProtocol.Wss, binding.Flow.Protocol);

        web.App.SimulatedBoard!.PressButton("button1");
        await AnswerAsync(web, page);

        // The page hears the station's microphone.
        await HearsAsync(page);

        // The station decodes three seconds of the page's microphone (its tone is checked at the speaker afterwards).
        await Eventually.UntilAsync(() => web.App.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 150,
            "3 s of the page's audio decoded at the station", TimeSpan.FromSeconds(20));

        // Open door, in the call: the door relay pulses by the code path, the event a right code gives (CodeAccepted)
        // naming the page's web user and the call, and no relay opening of the relay API.
        var opened = web.RelayEnergised("door");
        await page.ClickAsync("#phone-open");
        await opened.WaitAsync(TimeSpan.FromSeconds(20));
        await Expect(page.Locator("#notice")).ToContainTextAsync("Door opened.");
        CodeAccepted? accepted = null;
        await Eventually.UntilAsync(() => (accepted = web.App.Station.Events.Snapshot().Select(e => e.Detail).OfType<CodeAccepted>().FirstOrDefault()) is not null,
            "the opening to be logged as a code accepted from the web page", TimeSpan.FromSeconds(10));
        Assert.Equal(("web page", "admin", "door", null), (accepted!.Path, accepted.User, accepted.RelayId, accepted.EntryId));
        Assert.StartsWith("call ", accepted.Scope, StringComparison.Ordinal);
        Assert.Contains(web.App.Station.Events.Snapshot(), e => e.Message.Contains("open accepted from the web page by 'admin' on call ", StringComparison.Ordinal));
        Assert.DoesNotContain(web.App.Station.Events.Snapshot(), e => e.Detail is RelayOpenRequested);

        // The station hangs up: the page is back to ready.
        web.App.Station.HangUp("test");
        await Expect(page.Locator("#phone-state")).ToHaveTextAsync("Door phone ready");
        await Eventually.UntilAsync(() => web.App.Calls.ActiveLegs == 0, "the station's leg to end", TimeSpan.FromSeconds(10));

        // Rung again; this time the page hangs up.
        web.App.SimulatedBoard!.PressButton("button1");
        await AnswerAsync(web, page);
        await page.ClickAsync("#phone-hangup");
        await Eventually.UntilAsync(() => web.App.Station.CallState == StationCallState.Idle, "the station to end the call", TimeSpan.FromSeconds(10));
    });

    [Fact]
    public Task The_page_calls_the_door_to_look_in_and_talk_opens_it_and_hangs_up() => InACallAsync(async (web, browser, page) =>
    {

        // The station answers the page as it answers a resident's phone (auto-answer); no SIP password was given, the
        // session is what let the page in, and no allowlist entry names it.
        await page.ClickAsync("#phone-call");
        await Expect(page.Locator("#phone-state")).ToHaveTextAsync("In a call with the door", new() { Timeout = 20_000 });
        await Eventually.UntilAsync(() => web.App.Station.CallState == StationCallState.InCall, "the station to be in the page's call", TimeSpan.FromSeconds(20));
        var answered = web.App.Station.Events.Snapshot().Select(e => e.Detail).OfType<IncomingCallAnswered>().Single();
        Assert.Equal(("web:admin", Intercom.Station.Calls.CallerOrigin.WebPage), (answered.Caller, answered.Origin));

        // Both ways: the station decodes the page's microphone, the page's audio element carries the station's tone.
        await Eventually.UntilAsync(() => web.App.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 150,
            "3 s of the page's audio decoded at the station", TimeSpan.FromSeconds(20),
            () => string.Join('\n', web.App.Calls.MediaSessions.Select(m =>
                $"station: {m.Stream.GetStatistics()} pair={m.SelectedPair} ice={m.Ice?.State} dtls={m.Rtp.Dtls?.State} {m.Rtp.Dtls?.FailureReason} dtls in={m.Rtp.DtlsPacketsReceived} wrong source={m.Rtp.WrongSourcePackets}"))
                + "\n" + browser.ErrorText());
        await HearsAsync(page);

        // Open door from the page's own call: the code path, named as the web user.
        var opened = web.RelayEnergised("door");
        await page.ClickAsync("#phone-open");
        await opened.WaitAsync(TimeSpan.FromSeconds(20));
        var accepted = web.App.Station.Events.Snapshot().Select(e => e.Detail).OfType<CodeAccepted>().Single();
        Assert.Equal(("web page", "admin", answered.Call.ToString()), (accepted.Path, accepted.User, accepted.Scope));

        // The keypad: the gate's code as RFC 4733 events from Chromium (RTCDTMFSender), taken through the code lock as a
        // phone's keys are; the keys show only in the call.
        var gate = web.RelayEnergised("gate");
        foreach (char key in GateCode)
        {
            await page.ClickAsync($"#phone-keys button[data-key='{key}']");
        }

        await Eventually.UntilAsync(() => gate.IsCompleted, "the gate to open by its code keyed on the page", TimeSpan.FromSeconds(20),
            () => string.Join('\n', web.App.Station.Events.Snapshot().Select(e => e.Message)) + "\n" + browser.ErrorText()
                + "\ntelephone-event agreed: " + string.Join(", ", web.App.Calls.MediaSessions.Select(m => m.OfferAnswer.Negotiator.Media?.ReceiveTelephoneEventPayloadType)));
        CodeAccepted? keyed = null;
        await Eventually.UntilAsync(() => (keyed = web.App.Station.Events.Snapshot().Select(e => e.Detail).OfType<CodeAccepted>().FirstOrDefault(c => c.RelayId == "gate")) is not null,
            "the gate's code accepted", TimeSpan.FromSeconds(10));
        Assert.Equal(("RFC 4733", answered.Call.ToString()), (keyed!.Path, keyed.Scope));

        // The page hangs up (BYE from the caller's side of the dialog).
        await page.ClickAsync("#phone-hangup");
        await Eventually.UntilAsync(() => web.App.Station.CallState == StationCallState.Idle, "the station to end the page's call", TimeSpan.FromSeconds(10));
        await Eventually.UntilAsync(() => web.App.Calls.ActiveLegs == 0, "the station's leg to end", TimeSpan.FromSeconds(10));
        await Expect(page.Locator("#phone-call")).ToBeVisibleAsync();
        await Expect(page.Locator("#phone-keys")).ToBeHiddenAsync();
    });

    [Fact]
    public async Task With_auto_answer_off_the_door_refuses_the_pages_call_as_it_refuses_every_caller()
    {
        var directory = NewDirectory();
        await using var web = await StartAsync(directory, autoAnswer: false);
        await using var browser = await WebRtcClientBrowser.LaunchAsync(Path.Combine(directory, "page-tone.wav"));
        var page = await browser.NewPageAsync();
        await SetUpAsync(web, page);
        await ReadyAsync(web, browser, page);

        await page.ClickAsync("#phone-call");
        await Expect(page.Locator("#phone-state")).ToHaveTextAsync("The door takes no calls (station.incoming.autoAnswer)", new() { Timeout = 20_000 });
        var refused = web.App.Station.Events.Snapshot().Select(e => e.Detail).OfType<IncomingCallRejected>().Single();
        Assert.Equal((Intercom.Station.Calls.CallerOrigin.WebPage, 480), (refused.Origin, refused.SipStatus));
        Assert.Equal(StationCallState.Idle, web.App.Station.CallState);
        await Eventually.UntilAsync(() => web.App.Calls.ActiveLegs == 0, "the refused leg to end", TimeSpan.FromSeconds(10));
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
