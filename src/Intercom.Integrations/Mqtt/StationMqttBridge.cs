using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Intercom.Configuration;
using Intercom.Station;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Intercom.Integrations.Mqtt;

/// <summary>
/// The station on an MQTT broker (MQTT 3.1.1): availability with a last will, retained state, events, Home Assistant
/// discovery, and commands back into the station. One background task owns the connection: it connects, publishes
/// what is current, then sends queued messages until the connection drops, and reconnects with a growing delay.
/// The station only ever writes to a bounded queue (a full queue drops the message and counts it), so a dead broker
/// never holds up a button press. State is read when it is sent, never when it was queued, so the broker always ends
/// with the current value; events older than <see cref="MaxEventAge"/> are dropped rather than delivered late (a
/// doorbell automation firing minutes after the ring does more harm than good).
/// </summary>
public sealed partial class StationMqttBridge : IAsyncDisposable
{
    public const string Online = "online";
    public const string Offline = "offline";
    public const string RelayOn = "ON";
    public const string RelayOff = "OFF";
    public const string Registered = "registered";
    public const string NotRegistered = "not_registered";

    /// <summary>An event still queued after this long (broker unreachable) is dropped instead of published late.</summary>
    public static readonly TimeSpan MaxEventAge = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    /// <summary>MQTTnet's limit for a connect, subscribe or QoS 1 publish to be answered.</summary>
    private static readonly TimeSpan CommunicationTimeout = TimeSpan.FromSeconds(10);

    private readonly MqttConfig _config;
    private readonly string _stationName;
    private readonly string _version;
    private readonly string _doorRelay;
    private readonly StationFeed _feed;
    private readonly DoorStation _station;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<Outgoing> _queue;
    private readonly ReconnectBackoff _backoff;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenSource _connectionLost = new();
    private Outgoing? _pending;
    private Task? _run;
    private long _published;
    private long _dropped;
    private long _expired;
    private long _connections;
    private long _commands;
    private long _refusedCommands;
    private int _disposed;

    /// <param name="config">The validated "mqtt" section.</param>
    /// <param name="stationName">The station's name (Home Assistant device name, default client id).</param>
    /// <param name="version">Firmware version for the discovery device block.</param>
    /// <param name="doorRelay">The relay an "open" command without a payload opens.</param>
    /// <param name="feed">The station's events and state.</param>
    /// <param name="station">Where commands go.</param>
    /// <param name="time">Clock for reconnect delays and event ages.</param>
    /// <param name="log">Diagnostics; never given a password.</param>
    public StationMqttBridge(MqttConfig config, string stationName, string version, string doorRelay, StationFeed feed, DoorStation station,
        TimeProvider time, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(stationName);
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(station);
        ArgumentNullException.ThrowIfNull(time);
        _config = config;
        _stationName = stationName;
        _version = version ?? "";
        _doorRelay = doorRelay ?? "";
        _feed = feed;
        _station = station;
        _time = time;
        _log = log ?? NullLogger.Instance;
        ClientId = string.IsNullOrEmpty(config.ClientId) ? "intercom-" + MqttTopics.Level(stationName).ToLowerInvariant() : config.ClientId;
        Topics = new MqttTopics(config.TopicPrefix, config.DiscoveryPrefix, ClientId);
        _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(config.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _backoff = new ReconnectBackoff(TimeSpan.FromSeconds(config.ReconnectMinSeconds), TimeSpan.FromSeconds(config.ReconnectMaxSeconds));
        _client = new MqttClientFactory().CreateMqttClient();
        _client.DisconnectedAsync += OnDisconnectedAsync;
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _feed.EventRaised += OnEvent;
        _feed.StateChanged += OnState;
    }

    public MqttTopics Topics { get; }

    public string ClientId { get; }

    /// <summary>True while connected to the broker.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Messages handed to the broker.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Messages dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events dropped because they waited longer than <see cref="MaxEventAge"/>.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Successful connections (the first one included).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Commands carried out.</summary>
    public long Commands => Interlocked.Read(ref _commands);

    /// <summary>Commands refused (unknown relay, bad payload, retained, commands off).</summary>
    public long RefusedCommands => Interlocked.Read(ref _refusedCommands);

    /// <summary>Raised after each successful connection and its initial publications (for tests and the status page).</summary>
    public event EventHandler? Connected;

    /// <summary>A connection attempt failed or the connection was lost; the next attempt waits this long.</summary>
    internal event EventHandler<TimeSpan>? ReconnectScheduled;

    /// <summary>A command was refused (with the reason).</summary>
    internal event EventHandler<string>? CommandRefused;

    /// <summary>Starts connecting in the background; returns at once.</summary>
    public void Start() => _run ??= Task.Run(() => RunAsync(_stopping.Token));

    /// <summary>Publishes "offline", disconnects cleanly (so the broker does not send the will) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _feed.EventRaised -= OnEvent;
        _feed.StateChanged -= OnState;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            // An in-flight publish is let finish (bounded by the communication timeout) rather than cut.
            await _run.WaitAsync(CommunicationTimeout).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        if (_client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await PublishAsync(Topics.Availability, Encoding.UTF8.GetBytes(Offline), retain: true, timeout.Token).ConfigureAwait(false);
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or IOException or SocketException)
            {
                // The broker will publish the will instead.
                LogStopFailed(_log, e.Message);
            }
        }

        _client.Dispose();
        _connectionLost.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ConnectAsync(stop).ConfigureAwait(false);
                _backoff.Reset();
                await PumpAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                LogConnectionLost(_log, _config.Host);
            }
#pragma warning disable CA1031 // The background task must outlive any failure of a connection attempt: it logs and retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogConnectFailed(_log, _config.Host, Describe(e));
            }

            await AbandonConnectionAsync().ConfigureAwait(false);
            var delay = _backoff.Next();
            LogReconnecting(_log, delay.TotalSeconds);
            try
            {
                // The wait's timer exists before anyone hears of it, so a test's fake clock can move it on at once.
                var wait = Task.Delay(delay, _time, stop);
                ReconnectScheduled?.Invoke(this, delay);
                await wait.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// After a failure with the connection still up (a publish or subscribe timed out), drop it so the next attempt
    /// starts clean; MQTTnet refuses to connect a client that is connected.
    /// </summary>
    private async Task AbandonConnectionAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or IOException or SocketException)
        {
            LogStopFailed(_log, e.Message);
        }
    }

    private async Task ConnectAsync(CancellationToken stop)
    {
        var lost = new CancellationTokenSource();
        var previous = Interlocked.Exchange(ref _connectionLost, lost);
        previous.Dispose();
        var options = BuildOptions();
        var result = await _client.ConnectAsync(options, stop).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new MqttCommunicationException($"broker refused the connection: {result.ResultCode}");
        }

        Interlocked.Increment(ref _connections);
        LogConnected(_log, _config.Host, Port, ClientId);
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        var any = false;
        if (_config.AcceptCommands)
        {
            subscribe.WithTopicFilter(Topics.CommandFilter, MqttQualityOfServiceLevel.AtLeastOnce);
            subscribe.WithTopicFilter(Topics.RelaySetFilter, MqttQualityOfServiceLevel.AtLeastOnce);
            any = true;
        }

        if (_config.HomeAssistantDiscovery)
        {
            subscribe.WithTopicFilter(Topics.HomeAssistantStatus, MqttQualityOfServiceLevel.AtLeastOnce);
            any = true;
        }

        if (any)
        {
            stop.ThrowIfCancellationRequested();
            await _client.SubscribeAsync(subscribe.Build(), CancellationToken.None).ConfigureAwait(false);
        }

        await PublishAsync(Topics.Availability, Encoding.UTF8.GetBytes(Online), retain: true, stop).ConfigureAwait(false);
        await PublishDiscoveryAsync(stop).ConfigureAwait(false);
        await PublishStateAsync(stop).ConfigureAwait(false);
        Connected?.Invoke(this, EventArgs.Empty);
    }

    private async Task PumpAsync(CancellationToken stop)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, _connectionLost.Token);
        var token = linked.Token;
        while (true)
        {
            if (_pending is not { } item)
            {
                if (!_queue.Reader.TryRead(out item))
                {
                    await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false);
                    continue;
                }

                _pending = item;
            }

            // A failure leaves the item pending; it goes out after the reconnection (state is re-read then anyway).
            await SendAsync(item, token).ConfigureAwait(false);
            _pending = null;
        }
    }

    private async Task SendAsync(Outgoing item, CancellationToken token)
    {
        if (item.Discovery)
        {
            await PublishDiscoveryAsync(token).ConfigureAwait(false);
            await PublishStateAsync(token).ConfigureAwait(false);
        }
        else if (item.Event is { } e)
        {
            if (_time.GetUtcNow() - e.At > MaxEventAge)
            {
                Interlocked.Increment(ref _expired);
                return;
            }

            var payload = JsonSerializer.SerializeToUtf8Bytes(EventPayload.From(e, _stationName), IntegrationsJsonContext.Default.EventPayload);
            await PublishAsync(Topics.Event(e.Name), payload, retain: false, token).ConfigureAwait(false);
        }
        else if (item.State is { } state)
        {
            await PublishStateAsync(state, token).ConfigureAwait(false);
        }
    }

    private async Task PublishStateAsync(CancellationToken token)
    {
        await PublishStateAsync(new StationStateChange(StationStateKind.CallState, null), token).ConfigureAwait(false);
        foreach (var relay in _feed.RelayIds)
        {
            await PublishStateAsync(new StationStateChange(StationStateKind.Relay, relay), token).ConfigureAwait(false);
            await PublishStateAsync(new StationStateChange(StationStateKind.RelayHold, relay), token).ConfigureAwait(false);
        }

        foreach (var account in _feed.AccountIds)
        {
            await PublishStateAsync(new StationStateChange(StationStateKind.Registration, account), token).ConfigureAwait(false);
        }

        foreach (var input in StationFeed.InputNames)
        {
            await PublishStateAsync(new StationStateChange(StationStateKind.Input, input), token).ConfigureAwait(false);
        }
    }

    private async Task PublishStateAsync(StationStateChange state, CancellationToken token)
    {
        var (topic, value) = state.Kind switch
        {
            StationStateKind.Relay => (Topics.Relay(state.Id!), _feed.IsRelayEnergised(state.Id!) ? RelayOn : RelayOff),
            StationStateKind.RelayHold => (Topics.RelayHeld(state.Id!), _feed.IsRelayHeld(state.Id!) ? RelayOn : RelayOff),
            StationStateKind.Input => (Topics.Input(state.Id!), _feed.IsInputOn(state.Id!) ? RelayOn : RelayOff),
            StationStateKind.Registration => (Topics.Registration(state.Id!), _feed.IsRegistered(state.Id!) ? Registered : NotRegistered),
            _ => (Topics.CallState, HomeAssistantDiscovery.CallStates[(int)_feed.CallState]),
        };
        await PublishAsync(topic, Encoding.UTF8.GetBytes(value), retain: true, token).ConfigureAwait(false);
        if (state.Kind == StationStateKind.Registration)
        {
            // Beside registered/not_registered, where it stands and so why not (retrying, credentials refused, ...).
            await PublishAsync(Topics.RegistrationState(state.Id!), Encoding.UTF8.GetBytes(RegistrationStates.Of(_feed.RegistrationState(state.Id!))),
                retain: true, token).ConfigureAwait(false);
        }
    }

    private async Task PublishDiscoveryAsync(CancellationToken token)
    {
        if (!_config.HomeAssistantDiscovery)
        {
            return;
        }

        var documents = HomeAssistantDiscovery.Build(Topics, _stationName, _version, _feed.RelayIds, _feed.AccountIds, _config.AcceptCommands,
            _feed.HoldableRelays, _feed.Inputs);
        foreach (var document in documents)
        {
            await PublishAsync(document.Topic, Encoding.UTF8.GetBytes(document.Payload), retain: true, token).ConfigureAwait(false);
        }
    }

    private async Task PublishAsync(string topic, byte[] payload, bool retain, CancellationToken token)
    {
        // Cancellation is checked between messages, never inside one: MQTTnet drops the connection when a packet is cut
        // short, and a stop would then lose its "offline". A stuck broker is bounded by the client's own timeout.
        token.ThrowIfCancellationRequested();

        // QoS 1 (MQTT 3.1.1 §4.3.2): a doorbell must not be lost to one dropped packet; receivers handle a duplicate.
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _client.PublishAsync(message, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref _published);
    }

    private int Port => _config.Port != 0 ? _config.Port : _config.Tls.Enabled ? 8883 : 1883;

    /// <summary>The client options from the "mqtt" section (at each connect; internal for the config fuzz target, tests/Intercom.Fuzz).</summary>
    internal MqttClientOptions BuildOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_config.Host, Port)
            .WithClientId(ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(_config.KeepAliveSeconds))
            .WithTimeout(CommunicationTimeout)
            // MQTT 3.1.1 §3.1.2.5: the broker publishes the will when it loses us without a DISCONNECT.
            .WithWillTopic(Topics.Availability)
            .WithWillPayload(Offline)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(_config.Username))
        {
            builder.WithCredentials(_config.Username, _config.Password ?? "");
        }

        if (_config.Tls.Enabled)
        {
            var tls = _config.Tls;
            var authorities = tls.CaFile is { } caFile ? CertificateAuthorityFile.Load(caFile) : null;
            var client = tls.CertificateFile is { } certFile && tls.PrivateKeyFile is { } keyFile
                ? X509Certificate2.CreateFromPemFile(certFile, keyFile)
                : null;
            builder.WithTlsOptions(o =>
            {
                o.UseTls(true);
                o.WithTargetHost(_config.Host);
                o.WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
                o.WithCertificateValidationHandler(e => ValidateBroker(e.Certificate, e.Chain, e.SslPolicyErrors, tls.VerifyPeer, authorities));
                if (client is not null)
                {
                    o.WithClientCertificates([client]);
                }
            });
        }

        return builder.Build();
    }

    /// <summary>
    /// The broker's certificate: any, when verification is off; else its name must match and its chain must end at one of
    /// the configured CAs (or, without any, at the system's).
    /// </summary>
    internal static bool ValidateBroker(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, bool verifyPeer,
        X509Certificate2Collection? authorities)
    {
        if (!verifyPeer)
        {
            return true;
        }

        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        if (authorities is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (e.ClientWasConnected)
        {
            try
            {
                _connectionLost.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Stopping: nothing waits on it any more.
            }
        }

        return Task.CompletedTask;
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        var payload = message.Payload;
        if (message.Topic == Topics.HomeAssistantStatus)
        {
            // Home Assistant (re)started and may have lost what it knew: send discovery and state again.
            if (payload.Length == Online.Length && Encoding.ASCII.GetString(payload) == Online)
            {
                Enqueue(new Outgoing(null, null, Discovery: true));
            }

            return Task.CompletedTask;
        }

        if (!_config.AcceptCommands)
        {
            return Task.CompletedTask;
        }

        if (message.Retain)
        {
            // MQTT 3.1.1 §3.3.1.3: a retained message arrives again at every subscription; a retained "open" would open
            // the door at every reconnection.
            Refuse(message.Topic, "retained commands are ignored");
            return Task.CompletedTask;
        }

        Span<byte> buffer = stackalloc byte[MqttCommand.MaxPayloadBytes + 1];
        var length = (int)Math.Min(payload.Length, buffer.Length);
        payload.Slice(0, length).CopyTo(buffer);
        if (!MqttCommand.TryParse(Topics, _feed.RelayIds, _doorRelay, message.Topic, buffer[..length], out var command, out var refusal))
        {
            Refuse(message.Topic, refusal);
            return Task.CompletedTask;
        }

        if (command.Kind == MqttCommandKind.HoldRelay && !_station.CanHoldRelay(command.Argument))
        {
            Refuse(message.Topic, "the relay only pulses: holding it open needs station.relays[].mode Hold");
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _commands);
        LogCommand(_log, command.Kind, command.Argument);
        switch (command.Kind)
        {
            case MqttCommandKind.OpenRelay:
                _station.OpenRelay(command.Argument, "mqtt");
                break;
            case MqttCommandKind.UnlockRelay:
                _station.UnlockRelay(command.Argument, "mqtt");
                break;
            case MqttCommandKind.HoldRelay:
                _station.HoldRelay(command.Argument, "mqtt", command.Minutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null);
                break;
            case MqttCommandKind.ReleaseRelay:
                _station.ReleaseRelay(command.Argument, "mqtt");
                break;
            case MqttCommandKind.HangUp:
                _station.HangUp("mqtt");
                break;
            case MqttCommandKind.Dial:
                _station.Dial(command.Argument, "mqtt");
                break;
        }

        return Task.CompletedTask;
    }

    private void Refuse(string topic, string reason)
    {
        Interlocked.Increment(ref _refusedCommands);
        LogCommandRefused(_log, topic, reason);
        CommandRefused?.Invoke(this, reason);
    }

    private void OnEvent(object? sender, IntegrationEvent e) => Enqueue(new Outgoing(null, e, Discovery: false));

    private void OnState(object? sender, StationStateChange change) => Enqueue(new Outgoing(change, null, Discovery: false));

    private void Enqueue(Outgoing item)
    {
        if (!_queue.Writer.TryWrite(item))
        {
            if (Interlocked.Increment(ref _dropped) == 1)
            {
                LogQueueFull(_log, _config.QueueCapacity);
            }
        }
    }

    private static string Describe(Exception e) => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;

    [LoggerMessage(Level = LogLevel.Information, Message = "mqtt: connected to {Host}:{Port} as {ClientId}")]
    private static partial void LogConnected(ILogger logger, string host, int port, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: cannot connect to {Host}: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string host, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: connection to {Host} lost")]
    private static partial void LogConnectionLost(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Debug, Message = "mqtt: next attempt in {Seconds:0.0} s")]
    private static partial void LogReconnecting(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: queue full ({Capacity}); messages are dropped until the broker takes them")]
    private static partial void LogQueueFull(ILogger logger, int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "mqtt: command {Kind} {Argument}")]
    private static partial void LogCommand(ILogger logger, MqttCommandKind kind, string argument);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mqtt: command on {Topic} refused: {Reason}")]
    private static partial void LogCommandRefused(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "mqtt: clean disconnect failed: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string reason);

    /// <summary>One queued message: a state to re-read, an event, or "send discovery and all state again".</summary>
    private readonly record struct Outgoing(StationStateChange? State, IntegrationEvent? Event, bool Discovery);
}
