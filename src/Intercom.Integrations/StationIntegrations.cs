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
/// started (registrations reach it as the station's typed events), and disposes it before the station (so "offline" is published first).
/// </summary>
public sealed class StationIntegrations : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _version;
    private readonly DoorStation _station;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _logs;
    private IntercomConfig _config;
    private bool _disposed;

    private StationIntegrations(IntercomConfig config, string version, DoorStation station, StationFeed feed, TimeProvider time, ILoggerFactory logs)
    {
        _config = config;
        _version = version;
        _station = station;
        _time = time;
        _logs = logs;
        Feed = feed;
    }

    public StationFeed Feed { get; }

    /// <summary>The MQTT bridge, when enabled (replaced by <see cref="ReconfigureAsync"/>).</summary>
    public StationMqttBridge? Mqtt { get; private set; }

    /// <summary>The webhook dispatcher, when endpoints are configured (replaced by <see cref="ReconfigureAsync"/>).</summary>
    public WebhookDispatcher? Webhooks { get; private set; }

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
        ArgumentNullException.ThrowIfNull(station);
        ArgumentNullException.ThrowIfNull(logs);
        var accounts = new List<string>();
        foreach (var account in config.Accounts)
        {
            if (account.Register)
            {
                accounts.Add(account.Id);
            }
        }

        var integrations = new StationIntegrations(config, version ?? "", station, new StationFeed(station, board, accounts, time), time, logs);
        integrations.StartSinks(config);
        integrations.Feed.Start();
        return integrations;
    }

    /// <summary>
    /// Applies changed "mqtt" and "webhooks" sections of a validated configuration while the station runs: a changed
    /// section's bridge or dispatcher is stopped (MQTT publishes "offline" and disconnects) and a new one started; an
    /// unchanged section keeps its connection. Events raised in between may be missed by the replaced part only.
    /// </summary>
    /// <returns>The sections that were applied ("mqtt", "webhooks").</returns>
    public async Task<IReadOnlyList<string>> ReconfigureAsync(IntercomConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var applied = new List<string>();
            if (_disposed)
            {
                return applied;
            }

            var mqttChanged = !SameJson(_config.Mqtt, config.Mqtt, ConfigJsonContext.Default.MqttConfig) || _config.Name != config.Name;
            var webhooksChanged = !SameJson(_config.Webhooks, config.Webhooks, ConfigJsonContext.Default.WebhooksConfig) || _config.Name != config.Name;
            if (mqttChanged)
            {
                if (Mqtt is { } old)
                {
                    Mqtt = null;
                    await old.DisposeAsync().ConfigureAwait(false);
                }

                Mqtt = CreateMqtt(config);
                Mqtt?.Start();
                applied.Add("mqtt");
            }

            if (webhooksChanged)
            {
                if (Webhooks is { } old)
                {
                    Webhooks = null;
                    await old.DisposeAsync().ConfigureAwait(false);
                }

                Webhooks = CreateWebhooks(config);
                Webhooks?.Start();
                applied.Add("webhooks");
            }

            _config = config;
            return applied;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
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
        finally
        {
            _gate.Release();
        }
    }

    private void StartSinks(IntercomConfig config)
    {
        Mqtt = CreateMqtt(config);
        Webhooks = CreateWebhooks(config);
        Mqtt?.Start();
        Webhooks?.Start();
    }

    private StationMqttBridge? CreateMqtt(IntercomConfig config) => config.Mqtt.Enabled
        ? new StationMqttBridge(config.Mqtt, config.Name, _version, config.Station.DoorRelay, Feed, _station, _time, _logs.CreateLogger("mqtt"))
        : null;

    private WebhookDispatcher? CreateWebhooks(IntercomConfig config) => config.Webhooks.Endpoints.Count > 0
        ? new WebhookDispatcher(config.Webhooks, config.Name, Feed, _time, _logs.CreateLogger("webhooks"))
        : null;

    private static bool SameJson<T>(T a, T b, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        System.Text.Json.JsonSerializer.Serialize(a, type) == System.Text.Json.JsonSerializer.Serialize(b, type);
}
