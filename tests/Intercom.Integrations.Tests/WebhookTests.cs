using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Intercom.Configuration;
using Intercom.Integrations.Webhooks;

namespace Intercom.Integrations.Tests;

/// <summary>Webhooks POSTed to an HttpListener on loopback; retry waits and timeouts run on the station's fake clock.</summary>
public sealed class WebhookTests
{
    private const string Secret = "a-shared-secret-of-32-characters";

    [Fact]
    public async Task Doorbell_is_posted_as_signed_json_with_the_configured_headers()
    {
        await using var receiver = new WebhookReceiver();
        await using var rig = Rig.Start(new WebhookEndpointConfig
        {
            Url = receiver.Url,
            Secret = Secret,
            Headers = new() { ["Authorization"] = "Bearer token-123" },
        });

        rig.Station.Board.PressButton("button1");

        var request = await receiver.NextAsync();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/webhook/secret-webhook-id", request.Path);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("doorbell", request.Headers["X-Intercom-Event"]);
        Assert.Equal("Bearer token-123", request.Headers["Authorization"]);
        var stamp = long.Parse(request.Headers["X-Intercom-Timestamp"], CultureInfo.InvariantCulture);
        Assert.Equal(rig.Station.Time.GetUtcNow().ToUnixTimeSeconds(), stamp);
        Assert.True(WebhookSignature.Verify(Secret, stamp, request.Body, request.Headers["X-Intercom-Signature"]));
        Assert.False(WebhookSignature.Verify(Secret, stamp + 1, request.Body, request.Headers["X-Intercom-Signature"]));
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("doorbell", json.RootElement.GetProperty("event_type").GetString());
        Assert.Equal("button1", json.RootElement.GetProperty("subject").GetString());
        Assert.Equal("Front door", json.RootElement.GetProperty("station").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("sequence").GetInt64());
        var attempt = await rig.NextAttemptAsync();
        Assert.Equal(WebhookAttemptOutcome.Delivered, attempt.Outcome);
        Assert.Equal(200, attempt.Status);
    }

    [Fact]
    public async Task Only_the_chosen_event_kinds_are_sent()
    {
        await using var receiver = new WebhookReceiver();
        await using var rig = Rig.Start(new WebhookEndpointConfig { Url = receiver.Url, Events = [IntegrationEventNames.DoorOpened] });

        rig.Station.Board.PressButton("button1"); // doorbell and call_started: not wanted
        rig.Station.Station.OpenRelay("gate", "test");

        var request = await receiver.NextAsync();
        Assert.Equal("door_opened", request.Headers["X-Intercom-Event"]);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("gate", json.RootElement.GetProperty("subject").GetString());
        await rig.NextAttemptAsync();
        Assert.False(receiver.TryNext(out _));
    }

    [Fact]
    public async Task Door_inputs_reach_the_house_as_events_forced_held_open_and_tamper_but_not_a_released_opening()
    {
        // Issue #21.3 on the webhook side (MqttBrokerTests has the MQTT and Home Assistant side of the same inputs).
        await using var receiver = new WebhookReceiver();
        await using var rig = Rig.Start(new WebhookEndpointConfig
        {
            Url = receiver.Url,
            Events = [IntegrationEventNames.DoorForcedOpen, IntegrationEventNames.DoorHeldOpen, IntegrationEventNames.Tamper, IntegrationEventNames.ExitButton],
        });

        // Opened without the relay: forced at once, held open after the board's 60 s.
        rig.Station.Board.SetDoorOpen(true);
        var forced = await receiver.NextAsync();
        Assert.Equal("door_forced_open", forced.Headers["X-Intercom-Event"]);
        Assert.Contains("door opened without electric release", Encoding.UTF8.GetString(forced.Body), StringComparison.Ordinal);
        // Delivered before the clock moves on: a minute passing with the request in flight would be its timeout.
        Assert.Equal(WebhookAttemptOutcome.Delivered, (await rig.NextAttemptAsync()).Outcome);
        rig.Station.Seconds(60);
        Assert.Equal("door_held_open", (await receiver.NextAsync()).Headers["X-Intercom-Event"]);
        rig.Station.Board.SetDoorOpen(false);

        // The exit button releases the door: that opening is the exit button's, not forced.
        rig.Station.Board.PressExitButton();
        var exit = await receiver.NextAsync();
        Assert.Equal("exit_button", exit.Headers["X-Intercom-Event"]);
        rig.Station.Board.SetDoorOpen(true);
        rig.Station.Board.SetDoorOpen(false);

        rig.Station.Board.SetTamper(true);
        var tamper = await receiver.NextAsync();
        Assert.Equal("tamper", tamper.Headers["X-Intercom-Event"]);
        Assert.Contains("\"state\":\"active\"", Encoding.UTF8.GetString(tamper.Body), StringComparison.Ordinal);

        // In order, one request per event: nothing for the released opening came before the tamper.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(WebhookAttemptOutcome.Delivered, (await rig.NextAttemptAsync()).Outcome);
        }

        Assert.False(receiver.TryNext(out _));
    }

    [Fact]
    public async Task A_500_is_retried_after_the_delay_and_then_delivered()
    {
        await using var receiver = new WebhookReceiver(500);
        await using var rig = Rig.Start(new WebhookEndpointConfig { Url = receiver.Url, RetryDelaySeconds = 2, Events = [IntegrationEventNames.Doorbell] });

        rig.Station.Board.PressButton("button1");

        var first = await receiver.NextAsync();
        var failed = await rig.NextAttemptAsync();
        Assert.Equal((WebhookAttemptOutcome.Retrying, 500, 1), (failed.Outcome, failed.Status, failed.Attempt));
        Assert.False(receiver.TryNext(out _));
        rig.Station.Seconds(1.9);
        Assert.False(receiver.TryNext(out _));

        rig.Station.Seconds(0.1);

        var second = await receiver.NextAsync();
        Assert.Equal(first.Body, second.Body);
        var delivered = await rig.NextAttemptAsync();
        Assert.Equal((WebhookAttemptOutcome.Delivered, 200, 2), (delivered.Outcome, delivered.Status, delivered.Attempt));
        Assert.Equal(1, rig.Dispatcher.Endpoints[0].Delivered);
        Assert.Equal(2, rig.Dispatcher.Endpoints[0].Attempts);
    }

    [Fact]
    public async Task Retries_stop_after_max_attempts_and_a_400_is_not_retried()
    {
        await using var receiver = new WebhookReceiver(503, 503, 400);
        await using var rig = Rig.Start(new WebhookEndpointConfig
        {
            Url = receiver.Url, MaxAttempts = 2, RetryDelaySeconds = 1, Events = [IntegrationEventNames.DoorOpened],
        });

        rig.Station.Station.OpenRelay("door", "test");
        Assert.Equal(WebhookAttemptOutcome.Retrying, (await rig.NextAttemptAsync()).Outcome);
        rig.Station.Seconds(1);
        var gaveUp = await rig.NextAttemptAsync();
        Assert.Equal((WebhookAttemptOutcome.Failed, 503, 2), (gaveUp.Outcome, gaveUp.Status, gaveUp.Attempt));

        rig.Station.Station.OpenRelay("gate", "test");
        var refused = await rig.NextAttemptAsync();
        Assert.Equal((WebhookAttemptOutcome.Failed, 400, 1), (refused.Outcome, refused.Status, refused.Attempt));
        Assert.Equal(2, rig.Dispatcher.Endpoints[0].Failed);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_times_out_without_holding_up_the_station_or_other_webhooks()
    {
        await using var hanging = new WebhookReceiver(0);
        await using var healthy = new WebhookReceiver();
        await using var rig = Rig.Start(
            new WebhookEndpointConfig { Url = hanging.Url, TimeoutSeconds = 5, MaxAttempts = 2, RetryDelaySeconds = 1, Events = [IntegrationEventNames.Doorbell] },
            new WebhookEndpointConfig { Url = healthy.Url, Events = [IntegrationEventNames.Doorbell] });

        var press = Stopwatch.StartNew();
        rig.Station.Board.PressButton("button1");
        press.Stop();

        await hanging.NextAsync();
        await healthy.NextAsync();
        var delivered = await rig.NextAttemptAsync();
        Assert.Equal((1, WebhookAttemptOutcome.Delivered), (delivered.Endpoint, delivered.Outcome));
        Assert.True(press.Elapsed < TimeSpan.FromSeconds(1), $"the press took {press.Elapsed}");

        rig.Station.Seconds(5);

        var timedOut = await rig.NextAttemptAsync();
        Assert.Equal((0, WebhookAttemptOutcome.Retrying, (int?)null), (timedOut.Endpoint, timedOut.Outcome, timedOut.Status));
        rig.Station.Seconds(1);
        await hanging.NextAsync();
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_instead_of_waiting()
    {
        await using var hanging = new WebhookReceiver(0);
        await using var rig = Rig.Start(new WebhookEndpointConfig { Url = hanging.Url, TimeoutSeconds = 60, Events = [IntegrationEventNames.DoorOpened] });
        rig.Station.Station.OpenRelay("door", "test");
        await hanging.NextAsync(); // the worker holds this one; the queue behind it is empty

        // The relays are released by hand, not by advancing the fake clock past their pulse: that clock is also the held
        // request's 60 s timeout, and letting it expire lets the worker drain the queue while the test fills it.
        for (var i = 0; i < WebhookEndpoint.QueueCapacity + 10; i++)
        {
            rig.Station.Board.ReleaseAll(); // so each open is a new door_opened
            rig.Station.Station.OpenRelay("door", "test");
        }

        Assert.Equal(10, rig.Dispatcher.Endpoints[0].Dropped);
    }

    /// <summary>A station with its feed and a started webhook dispatcher on the station's fake clock.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly Channel<WebhookAttempt> _attempts = Channel.CreateUnbounded<WebhookAttempt>();

        private Rig(WebhookEndpointConfig[] endpoints)
        {
            Station = StationFixture.Create();
            Feed = new StationFeed(Station.Station, Station.Board, [], Station.Time);
            Dispatcher = new WebhookDispatcher(new WebhooksConfig { Endpoints = [.. endpoints] }, "Front door", Feed, Station.Time);
            Dispatcher.AttemptCompleted += (_, a) => _attempts.Writer.TryWrite(a);
        }

        public StationFixture Station { get; }

        public StationFeed Feed { get; }

        public WebhookDispatcher Dispatcher { get; }

        public static Rig Start(params WebhookEndpointConfig[] endpoints)
        {
            var rig = new Rig(endpoints);
            rig.Feed.Start();
            rig.Dispatcher.Start();
            return rig;
        }

        public async Task<WebhookAttempt> NextAttemptAsync(double seconds = 10)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            return await _attempts.Reader.ReadAsync(timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await Dispatcher.DisposeAsync();
            Feed.Dispose();
            Station.Dispose();
        }
    }
}
