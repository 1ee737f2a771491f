using System.Diagnostics;
using System.Net;
using System.Text;
using Intercom.Phone;
using Intercom.Configuration;
using Intercom.Hardware;
using Intercom.Media.Sdp;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Hosting;

/// <summary>
/// `intercom demo`: the whole job on loopback in one process. The station (simulated board) and a second user agent that
/// plays the resident's phone: a button press calls the phone, the phone answers and keys the code (SIP INFO), the door
/// relay pulses, the phone hangs up. Each step is printed with its time; exit 0 when the door opened and closed.
/// </summary>
internal static class Demo
{
    private const string Code = "1234";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var clock = Stopwatch.StartNew();
        void Say(string step) => stdout.WriteLine($"[{clock.Elapsed.TotalSeconds,7:0.000} s] {step}");

        using var phone = SipStack.Create(new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "resident", Product = "Intercom-demo-phone" } });
        var phoneListener = phone.Listen(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0));
        var phoneUri = $"sip:resident@127.0.0.1:{phoneListener.LocalEndPoint.Port}";

        var config = new IntercomConfig { Name = "Demo door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [phoneUri] }];
        config.Station.Codes = [new CodeConfig { Code = Code, Relay = "door" }];
        config.Station.Relays.First(r => r.Id == "door").PulseMs = 1000;
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0)
        {
            await stderr.WriteLineAsync(string.Join('\n', errors)).ConfigureAwait(false);
            return ExitCodes.RuntimeFailure;
        }

        using var station = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        var board = station.SimulatedBoard!;
        Say($"station up: SIP on udp 127.0.0.1:{station.SipPort(SipTransportProtocol.Udp)}, simulated board, door code {new string('*', Code.Length)}");
        Say($"resident's phone up: {phoneUri}");

        using var phoneMedia = CallMediaSession.Create(IPAddress.Loopback, new CallMediaOptions { RtpPortMin = 41000, RtpPortMax = 41999, Formats = [MediaFormat.Pcmu] });
        var answered = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        phone.Agent.IncomingCall += call =>
        {
            Say($"phone rings: call from {call.RemoteDisplayName} <{call.RemoteUri}>");
            call.Answered += c => answered.TrySetResult(c);
            call.Ended += _ => ended.TrySetResult();
            call.Answer(phoneMedia.OfferAnswer);
        };
        var relay = new TaskCompletionSource<RelayTransition>(TaskCreationOptions.RunContinuationsAsynchronously);
        var released = new TaskCompletionSource<RelayTransition>(TaskCreationOptions.RunContinuationsAsynchronously);
        board.RelayChanged += (_, e) =>
        {
            var t = board.RelayTransitions.LastOrDefault(x => x.RelayId == e.RelayId);
            if (t is null || t.RelayId != "door")
            {
                return;
            }

            (t.Energised ? relay : released).TrySetResult(t);
        };

        try
        {
            Say("visitor presses the call button");
            board.PressButton(config.Station.Buttons[0].Id);
            var call = await answered.Task.WaitAsync(StepTimeout).ConfigureAwait(false);
            Say("resident answers: two-way call established");

            foreach (var digit in Code)
            {
                var response = await call.SendInfo("application/dtmf-relay", Encoding.ASCII.GetBytes($"Signal={digit}\r\nDuration=160\r\n"))
                    .WaitAsync(StepTimeout).ConfigureAwait(false);
                if (response.StatusCode != 200)
                {
                    await stderr.WriteLineAsync($"demo: INFO refused with {response.StatusCode} {response.ReasonPhrase}").ConfigureAwait(false);
                    return ExitCodes.RuntimeFailure;
                }
            }

            Say("resident keys the door code (SIP INFO, application/dtmf-relay)");
            var open = await relay.Task.WaitAsync(StepTimeout).ConfigureAwait(false);
            Say("door relay energised: the door opens");
            var closed = await released.Task.WaitAsync(StepTimeout).ConfigureAwait(false);
            Say($"door relay released after {(closed.At - open.At).TotalMilliseconds:0} ms: the door is locked again");
            call.Hangup();
            await ended.Task.WaitAsync(StepTimeout).ConfigureAwait(false);
            Say("resident hangs up: call ended");
        }
        catch (TimeoutException)
        {
            await stderr.WriteLineAsync($"demo: a step did not happen within {StepTimeout.TotalSeconds:0} s; station events:").ConfigureAwait(false);
            foreach (var e in station.Station.Events.Snapshot())
            {
                await stderr.WriteLineAsync($"  {e.Kind}: {e.Message}").ConfigureAwait(false);
            }

            return ExitCodes.RuntimeFailure;
        }

        Say("demo complete");
        return ExitCodes.Ok;
    }
}
