using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Intercom.Hosting;

/// <summary>
/// The service side of systemd's notification protocol (sd_notify(3)): newline-separated "KEY=value" assignments sent as
/// one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET. It tells a Type=notify unit when the station is ready
/// (READY=1), what it is doing (STATUS=), that it is stopping (STOPPING=1), and keeps the unit's watchdog fed
/// (WATCHDOG=1, sd_watchdog_enabled(3)) only while the station's own health probe passes, so a hung SIP loop gets the
/// process restarted instead of a door station that looks alive and answers nothing. Without $NOTIFY_SOCKET (started
/// by hand, in tests, under another supervisor) every call is a no-op. It never throws: a notification that cannot be
/// delivered must not take the station down.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private static readonly byte[] WatchdogDatagram = "WATCHDOG=1"u8.ToArray();

    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private readonly TimeProvider _time;
    private readonly object _sendLock = new();
    private ITimer? _watchdogTimer;
    private Func<bool>? _healthy;
    private bool _disposed;

    /// <summary>Creates a notifier for an explicit socket; null <paramref name="socketPath"/> makes a no-op notifier.</summary>
    /// <param name="socketPath">A filesystem path, or an abstract socket name starting with '@' (as systemd writes it).</param>
    /// <param name="watchdogTimeout">The unit's watchdog timeout ($WATCHDOG_USEC), or null when the watchdog is off.</param>
    /// <param name="time">Clock for the watchdog pings; FakeTimeProvider in tests.</param>
    public SystemdNotifier(string? socketPath, TimeSpan? watchdogTimeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        WatchdogTimeout = watchdogTimeout is { Ticks: > 0 } ? watchdogTimeout : null;
        if (string.IsNullOrEmpty(socketPath) || socketPath.Length > MaxSocketPathLength || (socketPath[0] != '/' && socketPath[0] != '@'))
        {
            // Empty, too long for sockaddr_un, or another address family (vsock:...) that this station does not use.
            return;
        }

        // sd_notify(3): a leading '@' names a socket in the abstract namespace, which sockaddr_un spells with a NUL.
        _endPoint = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>True when there is a socket to notify (the process runs under a Type=notify unit).</summary>
    public bool IsEnabled => _socket is not null;

    /// <summary>The unit's watchdog timeout, or null when the unit has no watchdog for this process.</summary>
    public TimeSpan? WatchdogTimeout { get; }

    /// <summary>How often WATCHDOG=1 is sent: half the timeout, as sd_watchdog_enabled(3) recommends.</summary>
    public TimeSpan? WatchdogInterval => WatchdogTimeout / 2;

    /// <summary>
    /// Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID as systemd sets them for the service's main process.
    /// The watchdog is ignored when $WATCHDOG_PID names another process (a child inherited the environment).
    /// </summary>
    public static SystemdNotifier FromEnvironment(TimeProvider time) =>
        FromVariables(Environment.GetEnvironmentVariable, Environment.ProcessId, time);

    /// <summary><see cref="FromEnvironment"/> over any variable source, so tests need not change the process's environment.</summary>
    public static SystemdNotifier FromVariables(Func<string, string?> variable, int processId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(variable);
        TimeSpan? watchdog = null;
        if (ulong.TryParse(variable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            && usec <= (ulong)TimeSpan.MaxValue.TotalMicroseconds)
        {
            var pidText = variable("WATCHDOG_PID");
            var forUs = string.IsNullOrEmpty(pidText)
                || (int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid == processId);
            watchdog = forUs ? TimeSpan.FromMicroseconds(usec) : null;
        }

        return new SystemdNotifier(variable("NOTIFY_SOCKET"), watchdog, time);
    }

    /// <summary>READY=1 with a status line: the station listens and its registrations are under way.</summary>
    public bool Ready(string status) => Notify($"READY=1\nSTATUS={OneLine(status)}");

    /// <summary>STATUS=: a free-form line systemctl status shows.</summary>
    public bool Status(string status) => Notify($"STATUS={OneLine(status)}");

    /// <summary>STOPPING=1: shutdown has begun (unregistering, releasing relays).</summary>
    public bool Stopping(string status) => Notify($"STOPPING=1\nSTATUS={OneLine(status)}");

    /// <summary>Sends one notification; false when there is no socket or it could not be delivered.</summary>
    public bool Notify(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Send(Encoding.UTF8.GetBytes(state));
    }

    /// <summary>
    /// Starts sending WATCHDOG=1 every <see cref="WatchdogInterval"/>, each time only if <paramref name="healthy"/> says
    /// so; a tick that finds the station unhealthy sends nothing and systemd restarts the unit when the timeout runs out.
    /// No-op without a socket or a watchdog.
    /// </summary>
    public void StartWatchdog(Func<bool> healthy)
    {
        ArgumentNullException.ThrowIfNull(healthy);
        if (!IsEnabled || WatchdogInterval is not { } interval || _watchdogTimer is not null || _disposed)
        {
            return;
        }

        _healthy = healthy;
        _watchdogTimer = _time.CreateTimer(static s => ((SystemdNotifier)s!).OnWatchdogTick(), this, interval, interval);
    }

    public void Dispose()
    {
        lock (_sendLock)
        {
            _disposed = true;
        }

        _watchdogTimer?.Dispose();
        _socket?.Dispose();
    }

    private void OnWatchdogTick()
    {
        if (_healthy!())
        {
            Send(WatchdogDatagram);
        }
    }

    private bool Send(byte[] datagram)
    {
        if (_socket is null)
        {
            return false;
        }

        lock (_sendLock)
        {
            if (_disposed)
            {
                return false;
            }

            try
            {
                return _socket.SendTo(datagram, SocketFlags.None, _endPoint!) == datagram.Length;
            }
            catch (SocketException)
            {
                // systemd gone or the socket not there (a stale variable): nothing to tell, and no reason to stop.
                return false;
            }
        }
    }

    /// <summary>A newline would start a new assignment; a status is one line.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    private const int MaxSocketPathLength = 107;
}
