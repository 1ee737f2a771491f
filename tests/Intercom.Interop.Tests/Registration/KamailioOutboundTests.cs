using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Interop.Tests.Peers;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station;
using Intercom.Station.Configuration;
using Intercom.Station.Logging;
using Intercom.TestSupport.Logging;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Registration;

/// <summary>
/// Issue #19, SIP outbound (RFC 5626) against a real Kamailio acting as edge proxy and registrar (its outbound and path
/// modules, the registrar's outbound_mode 1 with a Flow-Timer): the station registers over TCP, Kamailio answers with
/// Require: outbound and keeps the binding with the station's instance and reg-id; a baresip phone calls the station
/// through Kamailio and the INVITE reaches it over the registered connection (Kamailio's edge routes it by the flow token
/// of its Path, and the station's 200 comes back over it); the connection is then killed (ss -K) and the station
/// registers again over a new one at once, and the next call reaches it over that. Over UDP the registrar is the first
/// hop itself and takes the flow the same way.
/// </summary>
public sealed class KamailioOutboundTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Short, so that keep-alives (every 4-5 s, RFC 5626 §4.4.1) and their pongs are seen within the test.
    private const int FlowTimerSeconds = 5;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    // A new flow is registered at once (no back-off): the connection close, a new connection, the 401 and the 200.
    private static readonly TimeSpan ReRegisterBound = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-outbound-").FullName;
    private readonly ConcurrentQueue<StationEvent> _events = new();
    private readonly CapturedLogLines _log = new();
    private Kamailio _kamailio = null!;
    private Baresip _resident = null!;
    private StationApp? _app;

    private string Domain => $"127.0.0.1:{_kamailio.UdpPort}";

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"), outboundFlowTimer: FlowTimerSeconds);
        _kamailio.Users["door"] = "door-secret";
        _kamailio.Users["resident"] = "resident-secret";
        await _kamailio.StartAsync();
        _resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:resident@127.0.0.1:{_kamailio.UdpPort}>;auth_pass=resident-secret;answermode=auto;regint=600;audio_codecs=PCMU");
        await _resident.StartAsync();
        await _resident.WaitForRegistrationAsync(Wait);
    }

    public async Task DisposeAsync()
    {
        _app?.Dispose();
        await _resident.DisposeAsync();
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Over_TCP_calls_take_the_registered_flow_and_a_killed_flow_is_registered_again_at_once()
    {
        var stateDirectory = Directory.CreateDirectory(Path.Combine(_dir, "station")).FullName;
        _app = Start(stateDirectory);
        var registered = await WaitForOutboundAsync("registered with outbound");
        // docs/configuration.md: the instance id is kept in sip-instance-id beside the configuration.
        var instance = File.ReadAllText(Path.Combine(stateDirectory, "sip-instance-id")).Trim();

        // The station's side: Require: outbound and the Flow-Timer were read, and the log says so.
        Assert.Contains($"Flow-Timer {FlowTimerSeconds} s", registered.Reason, StringComparison.Ordinal);
        Assert.Equal(SipTransportProtocol.Tcp, registered.Registrar!.Value.Protocol);
        Assert.Contains(_log.Lines, l => l.Contains("SIP outbound in use", StringComparison.Ordinal));
        // Kamailio's side: the binding carries the station's instance and reg-id, and the edge's Path with the flow
        // token and ;ob (RFC 5626 §5.2: the edge will route the station's requests over this flow).
        var location = await _kamailio.RpcAsync("ul.dump");
        output.WriteLine(location);
        Assert.Contains("Instance: <" + instance + ">", location, StringComparison.Ordinal);
        Assert.Matches(@"Reg-Id: 1\b", location);
        Assert.Matches(@"Path: <sip:[^@>]+@127\.0\.0\.1:\d+;lr;ob>", location);

        var flow = FlowPort();
        await CallAndHangUpAsync("first call", flow);

        // Kamailio answers the station's CRLF pings with pongs (§4.4.1): four pings later (past the first one's 10 s), the flow is
        // still the same (a ping unanswered for 10 s would have made the station register over a new one).
        var client = _app.Accounts.Current[0].Client;
        await WaitUntil(() => client.KeepAlivesSent >= 4, "four keep-alives at the Flow-Timer");
        Assert.Equal(flow, FlowPort());
        Assert.Equal(registered.Registrar, client.Status.Registrar);
        Assert.DoesNotContain(_events, e => e.Message.Contains("no pong", StringComparison.Ordinal));
        var opened = _app.Sip.Transport.Counters.ConnectionsOpened;

        // The flow breaks: both ends of the station's connection to Kamailio are aborted.
        var before = _events.Count;
        var clock = Stopwatch.StartNew();
        KillConnectionsTo(_kamailio.TcpPort);
        // The station's events in order after the kill: the failure noticed, then registered again.
        await WaitUntil(() => RegistrationsSince(before) is [.., var last] && last.Contains("Registered", StringComparison.Ordinal), "registered again");
        var reRegistered = clock.Elapsed;
        var again = await WaitForOutboundAsync("registered again with outbound");
        output.WriteLine($"flow killed: registered again over a new flow after {reRegistered.TotalMilliseconds:0} ms ({string.Join(" → ", RegistrationsSince(before))})");
        Assert.Contains("connection to the registrar closed", RegistrationsSince(before)[0], StringComparison.Ordinal);
        Assert.True(reRegistered < ReRegisterBound, $"registered again after {reRegistered.TotalMilliseconds:0} ms (bound {ReRegisterBound.TotalSeconds} s)");
        Assert.True(_app.Sip.Transport.Counters.ConnectionsOpened > opened, "a new connection (flow) was opened");
        Assert.Equal(registered.Registrar, again.Registrar);
        var newFlow = FlowPort();
        Assert.NotEqual(flow, newFlow);

        await CallAndHangUpAsync("second call", newFlow);
    }

    [Fact]
    public async Task Over_UDP_the_registrar_takes_the_flow_as_first_hop_and_calls_reach_the_station()
    {
        _app = Start(Directory.CreateDirectory(Path.Combine(_dir, "station")).FullName, "udp");
        var registered = await WaitForOutboundAsync("registered with outbound over UDP");
        Assert.Equal(SipTransportProtocol.Udp, registered.Registrar!.Value.Protocol);
        Assert.Contains($"Flow-Timer {FlowTimerSeconds} s", registered.Reason, StringComparison.Ordinal);
        // No edge on the way: the registrar is the first hop and keeps the flow itself (RFC 5626 §6), no Path.
        var location = await _kamailio.RpcAsync("ul.dump");
        Assert.Matches(@"Reg-Id: 1\b", location);

        await _resident.CommandAsync("dial", $"sip:door@{Domain}");
        await _resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        var stationPort = _app.SipPort(SipTransportProtocol.Udp);
        await _kamailio.Process.WaitForLineAsync($@"reply 200 OK for INVITE from 127\.0\.0\.1:{stationPort}$", Wait);
        await _resident.CommandAsync("hangup");
        await _resident.WaitForEventAsync("CALL_CLOSED", Wait);
    }

    /// <summary>
    /// The resident calls the door through Kamailio; the station auto-answers. Kamailio's edge sends the INVITE over the
    /// flow (the connection from the station's port <paramref name="flowPort"/> that its REGISTER came over, RFC 5626
    /// §5.3), and the station's 200 comes back over it.
    /// </summary>
    private async Task CallAndHangUpAsync(string what, int flowPort)
    {
        await _resident.CommandAsync("dial", $"sip:door@{Domain}");
        try
        {
            await _resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{what}: {e.Message}\nKamailio:\n{_kamailio.Process.Tail(40)}\nstation events:\n{Events()}", e);
        }

        await WaitUntil(() => _app!.Calls.ActiveLegs == 1, $"{what}: the station has the call");
        await _kamailio.Process.WaitForLineAsync($@"edge: INVITE over the flow to sip:127\.0\.0\.1:{flowPort};transport=tcp$", Wait);
        await _kamailio.Process.WaitForLineAsync($@"reply 200 OK for INVITE from 127\.0\.0\.1:{flowPort}$", Wait);
        await _resident.CommandAsync("hangup");
        await _resident.WaitForEventAsync("CALL_CLOSED", Wait);
        await WaitUntil(() => _app!.Calls.ActiveLegs == 0 && _app.Station.GetStatus().CallState == StationCallState.Idle, $"{what}: ended at the station");
    }

    /// <summary>The station's port of the connection its last REGISTER reached Kamailio's edge over: the flow.</summary>
    private int FlowPort()
    {
        var register = _kamailio.Process.Lines.Last(l => Regex.IsMatch(l, @"request REGISTER .* from 127\.0\.0\.1:\d+ \(tcp\)$"));
        return int.Parse(Regex.Match(register, @"from 127\.0\.0\.1:(\d+) \(tcp\)$").Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private StationApp Start(string stateDirectory, string transport = "tcp")
    {
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen =
        [
            new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 },
            new SipListenerConfig { Transport = "tcp", Address = "127.0.0.1", Port = 0 },
        ];
        var server = transport == "tcp" ? $"sip:127.0.0.1:{_kamailio.TcpPort};transport=tcp" : $"sip:{Domain}";
        config.Accounts.Add(new SipAccountConfig
        {
            Id = "pbx", Aor = $"sip:door@{Domain}", Registrar = server, OutboundProxy = server, Transport = transport,
            Password = "door-secret", ExpiresSeconds = 300,
        });
        config.Audio.Driver = "null";
        config.Media.Codecs = ["pcmu"];
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [$"sip:resident@{Domain}"] }];
        config.Station.Incoming = new IncomingConfig { Allowlist = [$"sip:resident@{Domain}"], AutoAnswer = true };
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        Assert.Empty(ConfigValidator.Validate(config));
        using var logs = LoggerFactory.Create(b => b.AddProvider(_log));
        var app = StationApp.Start(config, simulate: true, logs, stateDirectory: stateDirectory);
        app.Station.Events.Appended += (_, e) => _events.Enqueue(e);
        return app;
    }

    /// <summary>Aborts every TCP connection to or from <paramref name="port"/> on loopback (ss -K: both ends are ours).</summary>
    private static void KillConnectionsTo(int port)
    {
        using var ss = Process.Start(new ProcessStartInfo("ss", ["-K", "-t", "(", "dport", "=", $":{port}", "or", "sport", "=", $":{port}", ")"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var killed = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit(10_000);
        Assert.Contains($":{port}", killed, StringComparison.Ordinal);
    }

    private async Task<RegistrationStatus> WaitForOutboundAsync(string what)
    {
        await WaitUntil(() => _app!.Accounts.Current[0].Client.Status is { State: RegistrationState.Registered, Outbound: true }, what);
        return _app!.Accounts.Current[0].Client.Status;
    }

    private async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var status = _app?.Accounts.Current[0].Client.Status;
                throw new TimeoutException($"{what} did not happen within {Wait.TotalSeconds} s ({status}); station events:\n{Events()}\nlog:\n{string.Join("\n", _log.Lines)}\nKamailio:\n{_kamailio.Process.Tail(30)}");
            }

            await Task.Delay(20);
        }
    }

    private string[] RegistrationsSince(int index) =>
        [.. _events.Skip(index).Where(e => e.Kind == StationEventKind.Registration).Select(e => e.Message)];

    private string Events() => string.Join("\n", _events.Select(e => $"{e.Kind}: {e.Message}"));
}
