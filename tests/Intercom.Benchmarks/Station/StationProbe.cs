using System.Diagnostics;
using System.Globalization;
using Intercom.Configuration;
using Intercom.Hardware;
using Intercom.Hosting;
using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Benchmarks.Station;

/// <summary>
/// `dotnet run -c Release --project tests/Intercom.Benchmarks -- station [--events N] [--call-seconds S]`: the whole
/// station (StationApp: SIP stack, call control, media, door-station rules, simulated board) in this process, against
/// <see cref="FakePhone"/> on loopback, timed with Stopwatch on both sides of each event:
/// <list type="bullet">
/// <item>simulated button press → the INVITE datagram received by the phone's socket (an upper bound of "written");</item>
/// <item>the RTP packet that completes the code received → door relay energised. The station acts on the first packet of
/// the last digit's event (RFC 4733 §2.5.1.3 lets a receiver report a digit at its start), so this is timed from that
/// packet's send; the end packets follow and change nothing;</item>
/// <item>garbage collections and managed bytes allocated over a steady call with 20 ms PCMU both ways.</item>
/// </list>
/// The process is JIT-compiled (BenchmarkDotNet's project); the first events of each kind are a warm-up, not counted.
/// </summary>
public static class StationProbe
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static int Run(string[] args)
    {
        int events = IntOption(args, "--events", 1000);
        int callSeconds = IntOption(args, "--call-seconds", 60);
        int warmup = Math.Max(20, events / 20);

        using var phone = new FakePhone();
        var config = Config(phone.SipPort);
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", errors));
        }

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        long startupAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var board = app.SimulatedBoard!;

        using var ended = new SemaphoreSlim(0);
        using var answered = new SemaphoreSlim(0);
        using var energised = new SemaphoreSlim(0);
        using var released = new SemaphoreSlim(0);
        long energisedAt = 0;
        app.Calls.CallEvent += (_, e) =>
        {
            if (e.Kind == CallEventKind.Ended)
            {
                ended.Release();
            }
            else if (e.Kind == CallEventKind.Answered)
            {
                answered.Release();
            }
        };
        board.RelayChanged += (_, e) =>
        {
            if (e.RelayId != "door")
            {
                return;
            }

            if (e.Energised)
            {
                Volatile.Write(ref energisedAt, Stopwatch.GetTimestamp());
                energised.Release();
            }
            else
            {
                released.Release();
            }
        };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"station probe: {events} events each after {warmup} warm-up, {callSeconds} s call; {Environment.ProcessorCount} CPUs, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed bytes allocated by StationApp.Start: {startupAllocated:N0}"));

        // Button → INVITE: the phone answers 486, the call ends, the next press starts a fresh one.
        var buttonToInvite = new LatencySamples("button press -> INVITE at the phone");
        phone.Answer = false;
        for (int i = 0; i < warmup + events; i++)
        {
            long pressed = Stopwatch.GetTimestamp();
            board.PressButton("button1");
            long received = phone.WaitForInvite(Wait);
            Must(ended.Wait(Wait), "the busy call did not end");
            WaitForIdle(app);
            if (i >= warmup)
            {
                buttonToInvite.Add(received - pressed);
            }
        }

        Console.WriteLine(buttonToInvite.Summary());

        // One answered call for the rest: codes keyed as RFC 4733 events, then a steady call with audio both ways.
        phone.Answer = true;
        board.PressButton("button1");
        phone.WaitForInvite(Wait);
        Must(answered.Wait(Wait), "the call was not answered");
        var codeToRelay = new LatencySamples("RFC 4733 code complete -> relay energised");
        for (int i = 0; i < warmup + events; i++)
        {
            phone.SendDigit('1');
            phone.SendDigit('2');
            phone.SendDigit('3');
            long sent = phone.SendEventStart('4');
            Must(energised.Wait(Wait), "the code did not energise the door relay");
            long at = Volatile.Read(ref energisedAt);
            phone.SendEventEnd('4');
            Must(released.Wait(Wait), "the door relay was not released");
            if (i >= warmup)
            {
                codeToRelay.Add(at - sent);
            }
        }

        Console.WriteLine(codeToRelay.Summary());

        phone.StartAudio();
        // The measured window starts once the station has received a second of the phone's audio (jitter buffer filled,
        // first-packet work done), not after a guessed delay.
        Must(SpinWait.SpinUntil(() => app.Calls.MediaSessions is [var media, ..] && media.Stream.GetStatistics().AudioPacketsReceived >= 50, Wait),
            "the station received no audio from the phone");
        var stream = app.Calls.MediaSessions[0].Stream;
        long receivedBefore = stream.GetStatistics().AudioPacketsReceived;
        long frames = callSeconds * 50L;
        var gcBefore = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        long totalBefore = GC.GetTotalAllocatedBytes(precise: true);
        long phoneBefore = phone.RtpThreadAllocatedBytes;
        long probeBefore = GC.GetAllocatedBytesForCurrentThread();
        // The window is the call's audio itself: it ends when the station has received callSeconds of the phone's packets.
        Must(SpinWait.SpinUntil(() => stream.GetStatistics().AudioPacketsReceived - receivedBefore >= frames, TimeSpan.FromSeconds(callSeconds) + Wait),
            $"the station did not receive {frames} packets");
        long probeAllocated = GC.GetAllocatedBytesForCurrentThread() - probeBefore;
        long phoneAllocated = phone.RtpThreadAllocatedBytes - phoneBefore;
        long stationAllocated = GC.GetTotalAllocatedBytes(precise: true) - totalBefore - probeAllocated - phoneAllocated;
        var gcAfter = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        phone.StopAudio();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{callSeconds} s call, 20 ms PCMU both ways: GC gen0/1/2 {gcAfter[0] - gcBefore[0]}/{gcAfter[1] - gcBefore[1]}/{gcAfter[2] - gcBefore[2]}, station allocated {stationAllocated:N0} B ({(double)stationAllocated / frames:0.0} B per received frame; phone {phoneAllocated} B, probe {probeAllocated} B)"));

        app.Station.HangUp("probe");
        Must(ended.Wait(Wait), "the call did not end");
        return 0;
    }

    private static IntercomConfig Config(int phonePort)
    {
        var config = new IntercomConfig { Name = "Probe door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        // The phone answers a call every few milliseconds, far beyond the per-source limit a real peer is held to (20/s).
        config.Sip.RateLimit.Enabled = false;
        config.Media.RtpPortMin = 31000;
        config.Media.RtpPortMax = 31099;
        config.Media.Codecs = ["pcmu"];
        var resident = $"sip:resident@127.0.0.1:{phonePort}";
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [resident], MaxCallSeconds = 3600 }];
        var door = config.Station.Relays.First(r => r.Id == "door");
        door.PulseMs = 20;
        config.Station.Codes = [new CodeConfig { Code = "1234", Relay = "door" }];
        config.Station.CodeLock = new CodeLockConfig { MaxFailures = 3, LockoutSeconds = 300 };
        config.Station.Incoming = new IncomingConfig { Allowlist = [resident], Sources = ["127.0.0.0/8"], AutoAnswer = true };
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        return config;
    }

    // The call API reports the end before the station's own loop has handled it; a press in between would be a press
    // during the call (ignored). The station says when its state changes, so wait for that.
    private static void WaitForIdle(StationApp app)
    {
        using var idle = new ManualResetEventSlim();
        void OnChanged(object? sender, Intercom.Station.StationCallState state)
        {
            if (state == Intercom.Station.StationCallState.Idle)
            {
                idle.Set();
            }
        }

        app.Station.CallStateChanged += OnChanged;
        try
        {
            if (app.Station.CallState == Intercom.Station.StationCallState.Idle)
            {
                idle.Set();
            }

            Must(idle.Wait(Wait), "the station did not return to idle");
        }
        finally
        {
            app.Station.CallStateChanged -= OnChanged;
        }
    }

    private static void Must(bool condition, string what)
    {
        if (!condition)
        {
            throw new TimeoutException(what);
        }
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
