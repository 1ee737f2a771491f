using System.Text;
using Intercom.Phone;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Hosting;

/// <summary>
/// Ties a running station to its Type=notify systemd unit: READY=1 once the SIP listeners are bound and registrations
/// are under way, STATUS= lines as registrations change (what `systemctl status intercom` shows), the watchdog fed while
/// the SIP loop answers, and STOPPING=1 when shutdown begins. Does nothing outside systemd.
/// </summary>
internal sealed class SystemdSupervision : IDisposable
{
    private readonly StationApp _app;
    private readonly SystemdNotifier _notifier;

    private SystemdSupervision(StationApp app, SystemdNotifier notifier)
    {
        _app = app;
        _notifier = notifier;
    }

    /// <summary>Sends READY=1 and starts the watchdog. Takes ownership of <paramref name="notifier"/>.</summary>
    public static SystemdSupervision Start(StationApp app, SystemdNotifier notifier)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(notifier);
        var supervision = new SystemdSupervision(app, notifier);
        if (!notifier.IsEnabled)
        {
            return supervision;
        }

        app.Accounts.StatusChanged += supervision.OnRegistrationChanged;

        notifier.Ready(supervision.DescribeState());
        notifier.StartWatchdog(new SipLoopHeartbeat(app.Sip.Loop).CheckAndProbe);
        return supervision;
    }

    /// <summary>RELOADING=1 while a SIGHUP reload applies the configuration file (sd_notify(3)).</summary>
    public void Reloading() =>
        // MONOTONIC_USEC: systemd 253+ pairs the reload with this timestamp (CLOCK_MONOTONIC, which Stopwatch reads on Linux).
        _notifier.Notify(FormattableString.Invariant(
            $"RELOADING=1\nMONOTONIC_USEC={(long)(System.Diagnostics.Stopwatch.GetTimestamp() * (1_000_000.0 / System.Diagnostics.Stopwatch.Frequency))}\nSTATUS=reloading the configuration"));

    /// <summary>READY=1 again once the reload is done, whatever its outcome (the station kept running either way).</summary>
    public void Reloaded() => _notifier.Ready(DescribeState());

    /// <summary>STOPPING=1: from here systemd waits for the process to exit (TimeoutStopSec) instead of expecting pings.</summary>
    public void Stopping() => _notifier.Stopping("stopping: unregistering, releasing relays");

    public void Dispose()
    {
        _app.Accounts.StatusChanged -= OnRegistrationChanged;

        _notifier.Dispose();
    }

    private void OnRegistrationChanged(AccountRegistration registration, RegistrationStatus status) => _notifier.Status(DescribeState());

    /// <summary>"SIP udp 0.0.0.0:5060, tcp 0.0.0.0:5060; pbx Registered (200 OK)"; never credentials.</summary>
    private string DescribeState()
    {
        var text = new StringBuilder("SIP");
        var separator = " ";
        foreach (var listener in _app.Sip.Transport.Listeners)
        {
            text.Append(separator).Append(listener.Protocol.ToString().ToLowerInvariant()).Append(' ').Append(listener.LocalEndPoint);
            separator = ", ";
        }

        var registrations = _app.Accounts.Current;
        if (registrations.Count == 0)
        {
            return text.Append("; no registration (direct calls)").ToString();
        }

        separator = "; ";
        foreach (var registration in registrations)
        {
            var status = registration.Client.Status;
            text.Append(separator).Append(registration.AccountId).Append(' ').Append(status.State);
            if (status.Reason.Length > 0)
            {
                text.Append(" (").Append(status.Reason).Append(')');
            }

            separator = ", ";
        }

        return text.ToString();
    }
}
