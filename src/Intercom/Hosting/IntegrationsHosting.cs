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

        // StationApp starts one registration client per registering account, in configuration order.
        var registering = app.Config.Accounts.Where(a => a.Register).ToList();
        for (var i = 0; i < registering.Count && i < app.Registrations.Count; i++)
        {
            var id = registering[i].Id;
            var client = app.Registrations[i];
            client.StatusChanged += (_, status) => integrations.ReportRegistration(id, status.State == RegistrationState.Registered);
            integrations.ReportRegistration(id, client.Status.State == RegistrationState.Registered);
        }

        return integrations;
    }
}
