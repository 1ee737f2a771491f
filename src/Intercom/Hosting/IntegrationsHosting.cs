using Intercom.Integrations;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>
/// Composes home automation (MQTT with Home Assistant discovery, webhooks) onto a started <see cref="StationApp"/>: the
/// integrations read the station and board; each account's registration reaches them as the station's typed event
/// (<see cref="Station.Events.AccountRegistrationChanged"/>, put on its bus by <see cref="StartupOrder.ReportRegistrations"/>).
/// </summary>
internal static class IntegrationsHosting
{
    public static StationIntegrations Start(StationApp app, ILoggerFactory logs, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var integrations = StationIntegrations.Start(app.Config, IntercomCli.Version, app.Station, app.Board, time ?? TimeProvider.System, logs);

        return integrations;
    }
}
