using System.Net.Sockets;
using System.Text;
using Intercom.Hosting;
using Intercom.Sip.Core;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Tests.Hosting;

/// <summary>
/// sd_notify(3) against a real AF_UNIX datagram socket standing in for systemd: what is sent, when the watchdog pings
/// (half of WATCHDOG_USEC, only while healthy), and that a missing or dead socket is harmless.
/// </summary>
public sealed class SystemdNotifierTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-notify-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly Socket _systemd = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public SystemdNotifierTests() => SocketPath = Path.Combine(_dir, "notify");

    private string SocketPath { get; }

    public void Dispose()
    {
        _systemd.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private SystemdNotifier Listen(string? watchdogUsec = null, string? watchdogPid = null, string? socketName = null)
    {
        var name = socketName ?? SocketPath;
        _systemd.Bind(new UnixDomainSocketEndPoint(name[0] == '@' ? "\0" + name[1..] : name));
        var variables = new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = name,
            ["WATCHDOG_USEC"] = watchdogUsec,
            ["WATCHDOG_PID"] = watchdogPid,
        };
        return SystemdNotifier.FromVariables(k => variables.GetValueOrDefault(k), 4242, _time);
    }

    private async Task<string> ReceiveAsync()
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Wait);
        var n = await _systemd.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    [Fact]
    public async Task Ready_sends_READY_and_a_one_line_STATUS_in_one_datagram()
    {
        using var notifier = Listen();

        Assert.True(notifier.IsEnabled);
        Assert.True(notifier.Ready("SIP udp 0.0.0.0:5060\nsecond line"));

        Assert.Equal("READY=1\nSTATUS=SIP udp 0.0.0.0:5060 second line", await ReceiveAsync());
    }

    [Fact]
    public async Task An_abstract_socket_name_with_at_sign_is_reached()
    {
        using var notifier = Listen(socketName: $"@intercom-test-{Guid.NewGuid():N}");

        Assert.True(notifier.Stopping("stopping"));

        Assert.Equal("STOPPING=1\nSTATUS=stopping", await ReceiveAsync());
    }

    [Fact]
    public async Task Watchdog_pings_at_half_the_timeout_and_only_while_healthy()
    {
        using var notifier = Listen(watchdogUsec: "20000000");
        var healthy = true;
        notifier.StartWatchdog(() => healthy);
        Assert.Equal(TimeSpan.FromSeconds(10), notifier.WatchdogInterval);

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, _systemd.Available);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());

        healthy = false;
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, _systemd.Available);

        healthy = true;
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("WATCHDOG=1", await ReceiveAsync());
    }

    [Fact]
    public void Watchdog_meant_for_another_process_is_ignored()
    {
        using var notifier = Listen(watchdogUsec: "20000000", watchdogPid: "1");
        notifier.StartWatchdog(() => true);

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(notifier.WatchdogTimeout);
        Assert.Equal(0, _systemd.Available);
    }

    [Fact]
    public async Task Watchdog_for_this_process_id_is_honoured()
    {
        using var notifier = Listen(watchdogUsec: "2000000", watchdogPid: "4242");
        notifier.StartWatchdog(() => true);

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("WATCHDOG=1", await ReceiveAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("vsock:2:1234")]
    public void Without_a_usable_NOTIFY_SOCKET_everything_is_a_no_op(string? socket)
    {
        using var notifier = SystemdNotifier.FromVariables(k => k == "NOTIFY_SOCKET" ? socket : k == "WATCHDOG_USEC" ? "1000000" : null, 1, _time);
        notifier.StartWatchdog(() => true);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Ready("ready"));
        Assert.False(notifier.Status("status"));
    }

    [Fact]
    public void A_socket_nobody_listens_on_fails_quietly()
    {
        using var notifier = new SystemdNotifier(Path.Combine(_dir, "gone"), null, _time);

        Assert.True(notifier.IsEnabled);
        Assert.False(notifier.Ready("ready"));
    }

    [Fact]
    public void Disposed_notifier_sends_nothing()
    {
        var notifier = Listen(watchdogUsec: "2000000");
        notifier.StartWatchdog(() => true);
        notifier.Dispose();

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(notifier.Status("late"));
        Assert.Equal(0, _systemd.Available);
    }

    [Fact]
    public async Task Heartbeat_is_healthy_while_the_SIP_loop_runs_probes_and_not_while_it_is_stuck()
    {
        using var loop = new SipLoop(TimeProvider.System);
        var heartbeat = new SipLoopHeartbeat(loop);
        await Drained(loop);
        Assert.True(heartbeat.CheckAndProbe());
        await Drained(loop);
        Assert.True(heartbeat.CheckAndProbe());

        // A handler that never returns: the probe posted behind it does not run.
        using var stuck = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Drained(loop);
        Assert.True(heartbeat.CheckAndProbe());
        loop.Post(() =>
        {
            entered.SetResult();
            stuck.Wait(Wait);
        });
        await entered.Task.WaitAsync(Wait);
        // The probe posted by the last check ran before the stuck handler; the one posted now cannot.
        Assert.True(heartbeat.CheckAndProbe());
        Assert.False(heartbeat.CheckAndProbe());
        Assert.False(heartbeat.CheckAndProbe());

        stuck.Set();
        await Drained(loop);
        Assert.True(heartbeat.CheckAndProbe());
    }

    /// <summary>Everything posted before this has run (the loop is FIFO).</summary>
    private static Task Drained(SipLoop loop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() => done.SetResult());
        return done.Task.WaitAsync(Wait);
    }
}
