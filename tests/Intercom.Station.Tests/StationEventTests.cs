using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Intercom.Station.Logging;
using Intercom.Station.Routing;

namespace Intercom.Station.Tests;

/// <summary>
/// Each rule publishes its typed event with the ids a consumer needs (which button, which relay, whose code), and the
/// event log's line is written from that event, not the other way round.
/// </summary>
public sealed class StationEventTests
{
    private const string Alice = "sip:alice@pbx.example";

    [Fact]
    public void Starting_is_published_first()
    {
        using var f = StationFixture.Create();

        Assert.Equal([new StationLifecycleChanged(StationLifecycle.Started)], f.Published);
    }

    [Fact]
    public void A_button_press_publishes_the_button_the_ring_group_and_the_call_state()
    {
        using var f = StationFixture.Create();
        f.Published.Clear();

        f.Board.PressButton("button1");

        Assert.Equal(
            [
                new ButtonPressed("button1"),
                new RingGroupCalling("button button1", "residents", RingMode.Parallel, 1),
                new StationCallStateChanged(StationCallState.Calling),
            ],
            f.Published);
    }

    [Fact]
    public void A_resident_code_publishes_its_entry_id_and_the_relay_it_opens_then_the_pulse()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        var call = f.Calls.LegTo(Alice);
        f.Published.Clear();

        f.Calls.Keys(call, "1234");
        f.Seconds(3);

        Assert.Equal(new CodeAccepted("resident", "RFC 4733", call.ToString(), "door"), f.Published[0]);
        Assert.Equal([new RelayChanged("door", true), new RelayChanged("door", false)], f.Published.OfType<RelayChanged>());
        Assert.Equal(3, f.Published.Count);
    }

    [Fact]
    public void A_code_without_an_id_is_accepted_with_no_entry_id()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);

        f.Calls.Keys(f.Calls.LegTo(Alice), "9999");

        var accepted = Assert.Single(f.Published.OfType<CodeAccepted>());
        Assert.Null(accepted.EntryId);
        Assert.Equal("gate", accepted.RelayId);
    }

    [Fact]
    public void Wrong_codes_publish_their_counts_then_the_lockout_then_one_ignored_entry()
    {
        using var f = StationFixture.Create(c =>
        {
            c.CodeLock.MaxFailures = 2;
            c.CodeLock.LockoutSeconds = 60;
        });
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        var call = f.Calls.LegTo(Alice);
        var scope = call.ToString();
        var max = f.Config.CodeLock.StationMaxFailures;

        f.Calls.Keys(call, "0000" + "1111" + "1234" + "5");

        Assert.Equal(
            [
                new CodeRejected("RFC 4733", scope, null, 1, 2, 1, max),
                new CodeRejected("RFC 4733", scope, null, 2, 2, 2, max),
                new CodeLockedOut(scope, 60, 2, 1),
                new CodeEntryIgnored("RFC 4733", scope, scope),
            ],
            f.Published.Where(e => e.Kind is StationEventKind.CodeRejected or StationEventKind.Lockout or StationEventKind.CodeAccepted));
    }

    [Fact]
    public void The_exit_button_publishes_the_door_relay_it_opened()
    {
        using var f = StationFixture.Create();
        f.Published.Clear();

        f.Board.PressExitButton();

        Assert.Equal([new ExitButtonPressed("door", true), new RelayChanged("door", true)], f.Published);
    }

    [Fact]
    public void The_page_opening_a_relay_publishes_who_asked()
    {
        using var f = StationFixture.Create();
        f.Published.Clear();

        f.Station.OpenRelay("gate", "web:admin");

        Assert.Equal([new RelayOpenRequested("gate", "web:admin", true), new RelayChanged("gate", true)], f.Published);
    }

    [Fact]
    public void The_door_contact_tells_a_released_door_from_a_forced_one_and_a_door_held_open()
    {
        using var f = StationFixture.Create(c => c.Board.DoorHeldOpenSeconds = 45);

        f.Board.SetDoorOpen(true);
        f.Seconds(45);
        f.Board.SetDoorOpen(false);
        f.Board.PressExitButton();
        f.Board.SetDoorOpen(true);

        var door = f.Published.Where(e => e is DoorContactChanged or DoorHeldOpen).ToList();
        Assert.Equal(
            [
                new DoorContactChanged(Open: true, ElectricRelease: false),
                new DoorHeldOpen(45),
                new DoorContactChanged(Open: false, ElectricRelease: false),
                new DoorContactChanged(Open: true, ElectricRelease: true),
            ],
            door);
        Assert.True(((DoorContactChanged)door[0]).Forced);
        Assert.False(((DoorContactChanged)door[3]).Forced);
    }

    [Fact]
    public void Tamper_publishes_both_edges()
    {
        using var f = StationFixture.Create();
        f.Published.Clear();

        f.Board.SetTamper(true);
        f.Board.SetTamper(false);

        Assert.Equal([new TamperChanged(true), new TamperChanged(false)], f.Published);
    }

    [Fact]
    public void Registration_is_published_with_its_account_only_when_it_changes()
    {
        using var f = StationFixture.Create();
        f.Published.Clear();

        f.Station.SetRegistered(true, "pbx: Registered 200 OK", "pbx");
        f.Station.SetRegistered(true, "pbx: Registered 200 OK", "pbx");
        f.Station.SetRegistered(false, "pbx: Failed 401", "pbx");

        Assert.Equal(
            [new RegistrationChanged("pbx", true, "pbx: Registered 200 OK"), new RegistrationChanged("pbx", false, "pbx: Failed 401")],
            f.Published);
    }

    [Fact]
    public void Each_accounts_registration_is_published_as_reported_and_the_station_is_registered_while_any_account_is()
    {
        using var f = StationFixture.Create();
        f.Published.Clear();
        var aRegistered = new AccountRegistrationChanged("a", AccountRegistrationState.Registered, "200 OK", "udp:192.0.2.7:5060", 200);
        var bRegistered = new AccountRegistrationChanged("b", AccountRegistrationState.Registered, "200 OK", "tls:192.0.2.8:5061", 200);
        var aRetrying = new AccountRegistrationChanged("a", AccountRegistrationState.Retrying, "408 no answer", "udp:192.0.2.7:5060");
        var bStopped = new AccountRegistrationChanged("b", AccountRegistrationState.Stopped, "stopped", "tls:192.0.2.8:5061", 200);

        f.Station.ReportRegistration(aRegistered);
        f.Station.ReportRegistration(aRegistered with { }); // a refresh: nothing new about "a"
        f.Station.ReportRegistration(bRegistered);
        f.Station.ReportRegistration(aRetrying);
        Assert.Equal([aRetrying, bRegistered], f.Station.AccountRegistrations);
        f.Station.ReportRegistration(bStopped);

        Assert.Equal(
            [aRegistered, new RegistrationChanged("a", true, "a: Registered 200 OK"), bRegistered, aRetrying,
             bStopped, new RegistrationChanged("b", false, "b: Stopped stopped")],
            f.Published);
        Assert.Equal([aRetrying], f.Station.AccountRegistrations);
        Assert.False(f.Station.GetStatus().Registered);
    }

    [Fact]
    public void An_accounts_registration_is_a_line_of_the_log_with_its_typed_event()
    {
        using var f = StationFixture.Create();
        var change = new AccountRegistrationChanged("door2", AccountRegistrationState.AuthenticationFailed, "403 Forbidden", "tls:192.0.2.8:5061", 403);

        f.Station.ReportRegistration(change);

        var entry = Assert.Single(f.Log, e => e.Detail is AccountRegistrationChanged);
        Assert.Equal(StationEventKind.Registration, entry.Kind);
        Assert.Equal(change, entry.Detail);
        Assert.Equal(StationEventFormatter.Default.Describe(change), entry.Message);
    }

    [Theory]
    [InlineData(AccountRegistrationState.Unregistered)]
    [InlineData(AccountRegistrationState.Registering)]
    [InlineData(AccountRegistrationState.Registered)]
    [InlineData(AccountRegistrationState.Retrying)]
    [InlineData(AccountRegistrationState.AuthenticationFailed)]
    [InlineData(AccountRegistrationState.Unregistering)]
    [InlineData(AccountRegistrationState.Stopped)]
    public void An_accounts_line_never_reads_as_the_stations_registration_line(AccountRegistrationState state)
    {
        // "registered (" and "not registered (" are the station-wide lines the journal is searched for.
        var line = StationFormatterLine(new AccountRegistrationChanged("a", state, "200 OK (test)", "udp:192.0.2.7:5060", 200));

        Assert.StartsWith("account a: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("registered (", line, StringComparison.Ordinal);
    }

    private static string StationFormatterLine(DoorStationEvent e) => StationEventFormatter.Default.Describe(e)!;

    [Fact]
    public void Keypad_dialling_publishes_the_apartment()
    {
        using var f = StationFixture.Create(c =>
        {
            c.Board.Keypad = new KeypadWiringConfig();
            c.Keypad.DialMap = [new DialEntryConfig { Apartment = "12", Target = "residents" }];
        });
        f.Published.Clear();

        foreach (var key in "12#77#")
        {
            f.Board.PressKey(key);
        }

        Assert.Equal(new ApartmentDialled("12"), f.Published[0]);
        Assert.Equal(new RingGroupCalling("keypad", "residents", RingMode.Parallel, 1), f.Published[1]);
        Assert.Contains(new UnknownApartment(), f.Published);
    }

    [Fact]
    public void Incoming_calls_publish_who_called_how_they_were_vouched_for_and_the_refusal()
    {
        using var f = StationFixture.Create(c =>
        {
            c.Incoming.Allowlist = [Alice];
            c.Incoming.AutoAnswer = true;
        });
        f.Published.Clear();

        var answered = f.Calls.Incoming(Alice);
        f.Calls.Incoming("sip:mallory@evil.example");
        var busy = f.Calls.Incoming(Alice);
        f.Calls.End(answered);

        Assert.Equal(
            [
                new IncomingCallAnswered(Alice, CallerOrigin.Registrar, answered),
                new StationCallStateChanged(StationCallState.InCall),
                new IncomingCallRejected("sip:mallory@evil.example", CallerOrigin.Registrar, IncomingRefusal.NotAllowed, 403),
                new IncomingCallRejected(Alice, CallerOrigin.Registrar, IncomingRefusal.Busy, 486),
                new IncomingCallEnded(answered, CallEndReason.RemoteHangUp),
                new StationCallStateChanged(StationCallState.Idle),
            ],
            f.Published);
        Assert.NotEqual(answered, busy);
    }

    [Fact]
    public void A_ring_group_that_nobody_answers_publishes_its_timeout_and_outcome()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Published.Clear();

        f.Seconds(f.Config.RingGroups[0].RingTimeoutSeconds);

        Assert.Equal(
            [
                new RingGroupRingTimeout("residents", f.Config.RingGroups[0].RingTimeoutSeconds),
                new RingGroupUnanswered("residents", CallOutcome.NoAnswer),
                new StationCallStateChanged(StationCallState.Idle),
            ],
            f.Published);
    }

    [Fact]
    public void Every_log_line_is_written_from_its_typed_event_by_the_formatter()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        f.Calls.Keys(f.Calls.LegTo(Alice), "1234");
        f.Board.SetTamper(true);

        var logged = f.Published.Where(e => e is not StationCallStateChanged).ToList();
        Assert.Equal(logged, f.Log.Select(e => e.Detail));
        Assert.All(f.Log, e => Assert.Equal(StationEventFormatter.Default.Describe(e.Detail!), e.Message));
        Assert.All(f.Log, e => Assert.Equal(e.Detail!.Kind, e.Kind));
        Assert.Contains(f.Log, e => e.Message == "button button1 pressed");
        Assert.Contains(f.Log, e => e.Message == $"code 'resident' accepted via RFC 4733 on {f.Calls.LegTo(Alice)}: opening door");
    }

    [Fact]
    public void A_reworded_formatter_changes_the_log_lines_and_not_the_events()
    {
        using var plain = StationFixture.Create();
        using var reworded = StationFixture.Create(formatter: new RewordingFormatter());
        foreach (var f in new[] { plain, reworded })
        {
            f.Board.PressButton("button1");
            f.Calls.Answer(Alice);
            f.Calls.Keys(f.Calls.LegTo(Alice), "1234");
        }

        Assert.Equal(plain.Published, reworded.Published);
        Assert.Equal(plain.Log.Select(e => (e.Kind, e.Detail)), reworded.Log.Select(e => (e.Kind, e.Detail)));
        Assert.All(reworded.Log, e => Assert.StartsWith("reworded ", e.Message, StringComparison.Ordinal));
    }

    /// <summary>Writes every line differently, so anything that read the wording would break.</summary>
    private sealed class RewordingFormatter : StationEventFormatter
    {
        private int _lines;

        public override string? Describe(DoorStationEvent e) => base.Describe(e) is null ? null : $"reworded {++_lines}";
    }
}
