using Intercom.Integrations;
using Intercom.Sip.UserAgent.Registration;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>
/// Composes home automation (MQTT with Home Assistant discovery, webhooks) onto a started <see cref="StationApp"/>: the
/// integrations read the station and board, and each registering account's status is passed on as it changes.
/// </summary>
internal static class IntegrationsHosting
{
    public static StationIntegrations Start(StationApp app, ILoggerFactory logs, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var integrations = StationIntegrations.Start(app.Config, IntercomCli.Version, app.Station, app.Board, time ?? TimeProvider.System, logs);

        // Each registering account's status, also after an account changed live.
        app.Accounts.StatusChanged += (registration, status) =>
            integrations.ReportRegistration(registration.AccountId, status.State == RegistrationState.Registered);
        foreach (var registration in app.Accounts.Current)
        {
            integrations.ReportRegistration(registration.AccountId, registration.Client.Status.State == RegistrationState.Registered);
        }

        return integrations;
    }
}
