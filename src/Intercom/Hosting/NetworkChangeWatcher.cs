using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>
/// Re-registers when the host's network changes — a link going down or up (cable pulled and plugged back, a switch
/// rebooting), an address added or removed (DHCP, Wi-Fi roaming) — instead of waiting out a refresh or a back-off step
/// that may be minutes long (RFC 5626 §4.5). On Linux the runtime learns of these from rtnetlink (routes appearing and
/// vanishing with the link, address messages), so nothing is polled. A burst of notifications (one link change brings
/// several) is settled into one re-registration after <see cref="SettleTime"/>. While the link is down the REGISTER fails
/// at once (no route), so the station reports itself unregistered instead of trusting a binding it cannot refresh; when
/// the link is back it registers at once. pjsua (pjsua_handle_ip_change) and baresip (net_change) do the same.
/// </summary>
internal sealed partial class NetworkChangeWatcher : IDisposable
{
    /// <summary>How long notifications are gathered before acting on them.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);

    private readonly Action _reregister;
    private readonly ILogger _log;
    private readonly ITimer _timer;
    private readonly bool _subscribed;
    private string _last = "";
    private int _disposed;

    /// <param name="reregister">Called (on a timer thread) once per settled change; posts the re-registration to the SIP loop.</param>
    /// <param name="time">The clock of the settle timer.</param>
    /// <param name="log">Where each change is logged.</param>
    /// <param name="subscribe">False in tests: only <see cref="Notify"/> reports changes.</param>
    public NetworkChangeWatcher(Action reregister, TimeProvider time, ILogger log, bool subscribe = true)
    {
        ArgumentNullException.ThrowIfNull(reregister);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        _reregister = reregister;
        _log = log;
        _timer = time.CreateTimer(static s => ((NetworkChangeWatcher)s!).OnSettled(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (subscribe)
        {
            NetworkChange.NetworkAvailabilityChanged += OnAvailabilityChanged;
            NetworkChange.NetworkAddressChanged += OnAddressChanged;
            _subscribed = true;
        }
    }

    /// <summary>Watches the host's network for <paramref name="app"/>: every registering account registers again on a change.</summary>
    public static NetworkChangeWatcher Start(StationApp app, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new NetworkChangeWatcher(() =>
        {
            foreach (var registration in app.Registrations)
            {
                registration.Reregister();
            }
        }, TimeProvider.System, log);
    }

    /// <summary>Reports a change (what the runtime's events call); the re-registration follows after <see cref="SettleTime"/>.</summary>
    public void Notify(string what)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        Volatile.Write(ref _last, what);
        _timer.Change(SettleTime, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_subscribed)
        {
            NetworkChange.NetworkAvailabilityChanged -= OnAvailabilityChanged;
            NetworkChange.NetworkAddressChanged -= OnAddressChanged;
        }

        _timer.Dispose();
    }

    private void OnAvailabilityChanged(object? sender, NetworkAvailabilityEventArgs e) =>
        Notify(e.IsAvailable ? "network available" : "network unavailable");

    private void OnAddressChanged(object? sender, EventArgs e) => Notify("addresses changed");

    private void OnSettled()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        LogChanged(_log, Volatile.Read(ref _last));
        _reregister();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "network changed ({What}): registering again")]
    private static partial void LogChanged(ILogger logger, string what);
}
