using Intercom.Configuration;
using Intercom.Hardware;
using Intercom.Integrations.Mqtt;
using Intercom.Integrations.Webhooks;
using Intercom.Station;
using Microsoft.Extensions.Logging;

namespace Intercom.Integrations;

/// <summary>
/// Home automation for one running station, as configured: the feed of its events and state, the MQTT bridge when
/// "mqtt.enabled", the webhook dispatcher when "webhooks.endpoints" lists any. The app builds it after the station has
/// started, reports registrations into it, and disposes it before the station (so "offline" is published first).
/// </summary>
public sealed class StationIntegrations : IAsyncDisposable
{
    private StationIntegrations(StationFeed feed, StationMqttBridge? mqtt, WebhookDispatcher? webhooks)
    {
        Feed = feed;
        Mqtt = mqtt;
        Webhooks = webhooks;
    }

    public StationFeed Feed { get; }

    public StationMqttBridge? Mqtt { get; }

    public WebhookDispatcher? Webhooks { get; }

    /// <summary>Builds and starts what the configuration asks for; returns at once (connections are made in the background).</summary>
    /// <param name="config">The validated configuration.</param>
    /// <param name="version">Firmware version (Home Assistant's device block).</param>
    /// <param name="station">The started station.</param>
    /// <param name="board">Its board.</param>
    /// <param name="time">Clock.</param>
    /// <param name="logs">Loggers ("mqtt", "webhooks").</param>
    public static StationIntegrations Start(IntercomConfig config, string version, DoorStation station, IBoard board, TimeProvider time,
        ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(logs);
        var accounts = new List<string>();
        foreach (var account in config.Accounts)
        {
            if (account.Register)
            {
                accounts.Add(account.Id);
            }
        }

        var feed = new StationFeed(station, board, accounts, time);
        var mqtt = config.Mqtt.Enabled
            ? new StationMqttBridge(config.Mqtt, config.Name, version, config.Station.DoorRelay, feed, station, time, logs.CreateLogger("mqtt"))
            : null;
        var webhooks = config.Webhooks.Endpoints.Count > 0
            ? new WebhookDispatcher(config.Webhooks, config.Name, feed, time, logs.CreateLogger("webhooks"))
            : null;
        feed.Start();
        mqtt?.Start();
        webhooks?.Start();
        return new StationIntegrations(feed, mqtt, webhooks);
    }

    /// <summary>The app reports an account's registration as it changes (RFC 3261 §10).</summary>
    public void ReportRegistration(string accountId, bool registered) => Feed.ReportRegistration(accountId, registered);

    public async ValueTask DisposeAsync()
    {
        Feed.Dispose();
        if (Mqtt is not null)
        {
            await Mqtt.DisposeAsync().ConfigureAwait(false);
        }

        if (Webhooks is not null)
        {
            await Webhooks.DisposeAsync().ConfigureAwait(false);
        }
    }
}
