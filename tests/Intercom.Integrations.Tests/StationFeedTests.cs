using Intercom.Configuration;
using Intercom.Station;
using Intercom.Station.Events;
using Intercom.Station.Logging;

namespace Intercom.Integrations.Tests;

/// <summary>The station's log, call state and relays turned into named events and state changes (no network).</summary>
public sealed class StationFeedTests
{
    private const string Alice = "sip:alice@pbx.example";

    [Fact]
    public void A_visitors_call_is_doorbell_started_answered_door_opened_and_ended_in_order()
    {
        using var f = StationFixture.Create();
        using var feed = Started(f, out var events, out var states);

        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        f.Calls.Keys(f.Calls.LegTo(Alice), "1234");
        f.Calls.End(f.Calls.LegTo(Alice));

        Assert.Equal(
            [IntegrationEventNames.Doorbell, IntegrationEventNames.CallStarted, IntegrationEventNames.CallAnswered,
             IntegrationEventNames.CodeAccepted, IntegrationEventNames.DoorOpened, IntegrationEventNames.CallEnded],
            events.Select(e => e.Name));
        Assert.Equal([1L, 2, 3, 4, 5, 6], events.Select(e => e.Sequence));
        Assert.Equal("button1", events[0].Subject);
        Assert.Equal("door", events[3].Subject);
        Assert.Equal("door", events[4].Subject);
        Assert.Contains("calling ring group residents", events[1].Message, StringComparison.Ordinal);
        Assert.Contains("answered", events[2].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Message.Contains("1234", StringComparison.Ordinal));
        Assert.All(events, e => Assert.Equal(f.Time.GetUtcNow(), e.At));
        Assert.Equal(StationCallState.Idle, feed.CallState);
        Assert.True(feed.IsRelayEnergised("door"));
        Assert.Contains(new StationStateChange(StationStateKind.Relay, "door"), states);
        Assert.Equal(3, states.Count(s => s.Kind == StationStateKind.CallState)); // calling, in call, idle
    }

    [Fact]
    public void An_auto_answered_incoming_call_starts_and_is_answered_at_once()
    {
        using var f = StationFixture.Create(c =>
        {
            c.Incoming.Allowlist = [Alice];
            c.Incoming.AutoAnswer = true;
        });
        using var feed = Started(f, out var events, out _);

        var call = f.Calls.Incoming(Alice);
        f.Calls.End(call);

        Assert.Equal([IntegrationEventNames.CallStarted, IntegrationEventNames.CallAnswered, IntegrationEventNames.CallEnded], events.Select(e => e.Name));
    }

    [Fact]
    public void Wrong_codes_are_refused_and_then_locked_out()
    {
        using var f = StationFixture.Create(c => c.CodeLock.MaxFailures = 2);
        using var feed = Started(f, out var events, out _);
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);

        f.Calls.Keys(f.Calls.LegTo(Alice), "0000" + "1111");

        Assert.Equal(2, events.Count(e => e.Name == IntegrationEventNames.CodeRefused));
        Assert.Single(events, e => e.Name == IntegrationEventNames.Lockout);
    }

    [Fact]
    public void Relay_state_follows_the_pulse_and_its_end()
    {
        using var f = StationFixture.Create();
        using var feed = Started(f, out var events, out var states);

        f.Station.OpenRelay("gate", "test");
        Assert.True(feed.IsRelayEnergised("gate"));
        f.Seconds(1);

        Assert.False(feed.IsRelayEnergised("gate"));
        Assert.Equal([new StationStateChange(StationStateKind.Relay, "gate"), new StationStateChange(StationStateKind.Relay, "gate")], states);
        Assert.Single(events, e => e.Name == IntegrationEventNames.DoorOpened && e.Subject == "gate");
    }

    [Fact]
    public void Registration_events_change_state_only_when_they_change_and_only_for_known_accounts()
    {
        using var f = StationFixture.Create();
        using var feed = new StationFeed(f.Station, f.Board, ["pbx"], f.Time);
        var states = new List<StationStateChange>();
        feed.StateChanged += (_, s) => states.Add(s);
        feed.Start();

        Assert.False(feed.IsRegistered("pbx"));
        f.Station.ReportRegistration(new AccountRegistrationChanged("pbx", AccountRegistrationState.Registered, "200 OK", "udp:192.0.2.7:5060", 200));
        f.Station.ReportRegistration(new AccountRegistrationChanged("pbx", AccountRegistrationState.Registered, "200 OK", "udp:192.0.2.8:5060", 200));
        f.Station.ReportRegistration(new AccountRegistrationChanged("other", AccountRegistrationState.Registered, "200 OK"));

        Assert.True(feed.IsRegistered("pbx"));
        Assert.False(feed.IsRegistered("other"));
        Assert.Equal([new StationStateChange(StationStateKind.Registration, "pbx")], states);
    }

    public static TheoryData<DoorStationEvent> OtherStationEvents() =>
    [
        new ButtonIgnored(),
        new ButtonNotRouted("button9", "button button9 pressed"),
        new RelayChanged("door", Energised: false),
        new StationLifecycleChanged(StationLifecycle.Started),
        new RegistrationChanged("pbx", Registered: true, "pbx: Registered"),
    ];

    [Theory]
    [InlineData(true, "door_contact_opened")]
    [InlineData(false, "door_contact_closed")]
    public void The_door_contact_is_a_named_event(bool open, string expected)
    {
        Assert.True(StationFeed.TryClassify(new DoorContactChanged(open, ElectricRelease: true), out var name, out _, out _));
        Assert.Equal(expected, name);
    }

    [Theory]
    [MemberData(nameof(OtherStationEvents))]
    public void Other_station_events_are_not_named_events(DoorStationEvent e) =>
        Assert.False(StationFeed.TryClassify(e, out _, out _, out _));

    [Fact]
    public void Nothing_is_raised_after_dispose()
    {
        using var f = StationFixture.Create();
        var feed = Started(f, out var events, out var states);
        feed.Dispose();

        f.Board.PressButton("button1");
        f.Station.OpenRelay("door", "test");

        Assert.Empty(events);
        Assert.Empty(states);
    }

    private static StationFeed Started(StationFixture f, out List<IntegrationEvent> events, out List<StationStateChange> states)
    {
        var feed = new StationFeed(f.Station, f.Board, [], f.Time);
        var e = new List<IntegrationEvent>();
        var s = new List<StationStateChange>();
        feed.EventRaised += (_, x) => e.Add(x);
        feed.StateChanged += (_, x) => s.Add(x);
        feed.Start();
        events = e;
        states = s;
        return feed;
    }
}
