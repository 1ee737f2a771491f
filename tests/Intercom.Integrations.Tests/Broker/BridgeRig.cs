using Intercom.Configuration;
using Intercom.Integrations.Mqtt;
using Intercom.Station.Events;

namespace Intercom.Integrations.Tests.Broker;

/// <summary>A station (simulated board, fake calls, fake clock) with its feed and MQTT bridge, started against a broker.</summary>
internal sealed class BridgeRig : IAsyncDisposable
{
    public const string Prefix = "intercom/test";

    private readonly SemaphoreSlim _reconnects = new(0);
    private readonly SemaphoreSlim _connections = new(0);

    private BridgeRig(MqttConfig config, StationEventFormatter? formatter, Action<Intercom.Station.Configuration.StationConfig>? station)
    {
        Station = StationFixture.Create(station, formatter);
        Feed = new StationFeed(Station.Station, Station.Board, ["pbx"], Station.Time);
        Bridge = new StationMqttBridge(config, "Front door", "0.1.0-test", Station.Config.DoorRelay, Feed, Station.Station, Station.Time);
        Bridge.Connected += (_, _) => _connections.Release();
        Bridge.ReconnectScheduled += (_, delay) =>
        {
            LastReconnectDelay = delay;
            _reconnects.Release();
        };
        Bridge.CommandRefused += (_, reason) => Refusals.Enqueue(reason);
    }

    public StationFixture Station { get; }

    public StationFeed Feed { get; }

    public StationMqttBridge Bridge { get; }

    public TimeSpan LastReconnectDelay { get; private set; }

    public System.Collections.Concurrent.ConcurrentQueue<string> Refusals { get; } = new();

    /// <summary>MQTT settings for a broker on loopback: commands on, quick reconnects.</summary>
    public static MqttConfig Config(int port) => new()
    {
        Enabled = true,
        Host = "127.0.0.1",
        Port = port,
        TopicPrefix = Prefix,
        AcceptCommands = true,
        ReconnectMinSeconds = 1,
        ReconnectMaxSeconds = 8,
        KeepAliveSeconds = 30,
    };

    /// <summary>Starts the bridge without waiting for it to connect.</summary>
    /// <param name="config">MQTT settings.</param>
    /// <param name="formatter">The station's log wording (the shipped one when null).</param>
    /// <param name="station">Changes to the station's configuration (StationFixture.ValidConfig).</param>
    public static BridgeRig Start(MqttConfig config, StationEventFormatter? formatter = null, Action<Intercom.Station.Configuration.StationConfig>? station = null)
    {
        var rig = new BridgeRig(config, formatter, station);
        rig.Feed.Start();
        rig.Bridge.Start();
        return rig;
    }

    /// <summary>Starts the bridge and waits until it has connected and published its initial state.</summary>
    public static async Task<BridgeRig> StartConnectedAsync(MqttConfig config, StationEventFormatter? formatter = null,
        Action<Intercom.Station.Configuration.StationConfig>? station = null)
    {
        var rig = Start(config, formatter, station);
        await rig.WaitConnectedAsync();
        return rig;
    }

    public async Task WaitConnectedAsync(double seconds = 10)
    {
        Assert.True(await _connections.WaitAsync(TimeSpan.FromSeconds(seconds)), $"the bridge did not connect within {seconds} s");
    }

    /// <summary>Waits until the bridge has scheduled its next connection attempt (after a failure or a lost connection).</summary>
    public async Task WaitReconnectScheduledAsync(double seconds = 10)
    {
        Assert.True(await _reconnects.WaitAsync(TimeSpan.FromSeconds(seconds)), $"no reconnection was scheduled within {seconds} s");
    }

    public async ValueTask DisposeAsync()
    {
        await Bridge.DisposeAsync();
        Feed.Dispose();
        Station.Dispose();
        _reconnects.Dispose();
        _connections.Dispose();
    }
}
