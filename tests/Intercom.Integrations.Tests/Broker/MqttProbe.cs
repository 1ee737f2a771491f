using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Intercom.Integrations.Tests.Broker;

/// <summary>A second MQTT client, as Home Assistant would be: subscribes, records what arrives, publishes commands.</summary>
internal sealed class MqttProbe : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly ConcurrentQueue<ProbeMessage> _messages = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private MqttProbe(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            _messages.Enqueue(new ProbeMessage(m.Topic, Encoding.UTF8.GetString(m.Payload), m.Retain));
            _arrived.Release();
            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<ProbeMessage> Messages => [.. _messages];

    public static async Task<MqttProbe> ConnectAsync(int port, IEnumerable<string> filters, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var probe = new MqttProbe(client);
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("probe-" + Guid.NewGuid().ToString("N")[..8]);
        configure?.Invoke(options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(options.Build(), timeout.Token);
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        var any = false;
        foreach (var filter in filters)
        {
            subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            any = true;
        }

        if (any)
        {
            await client.SubscribeAsync(subscribe.Build(), timeout.Token);
        }
        return probe;
    }

    public async Task PublishAsync(string topic, string payload, bool retain = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        await _client.PublishAsync(message, timeout.Token);
    }

    /// <summary>The first message (received before or after the call) on <paramref name="topic"/> that matches.</summary>
    public async Task<ProbeMessage> WaitForAsync(string topic, Func<ProbeMessage, bool>? match = null, double seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            foreach (var message in _messages)
            {
                if (message.Topic == topic && (match is null || match(message)))
                {
                    return message;
                }
            }

            try
            {
                await _arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                var seen = string.Join("\n", _messages.Select(m => $"{m.Topic} = {m.Payload}"));
                throw new TimeoutException($"nothing matching on {topic} within {seconds} s; received:\n{seen}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token);
        }

        _client.Dispose();
        _arrived.Dispose();
    }
}
