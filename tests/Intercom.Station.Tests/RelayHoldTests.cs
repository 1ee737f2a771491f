using Intercom.Station.Configuration;
using Intercom.Station.Events;

namespace Intercom.Station.Tests;

/// <summary>
/// Relay modes (relays[].mode): a Pulse relay only ever pulses (bounded by maxMs); a Hold relay may also be held open
/// on purpose, by a command (until released, or for a time) and by schedules (schedules[].holdRelays), shown as such in
/// the events and the status, and released on every exit path. On the fake clock: Monday 2026-01-05 12:00 UTC.
/// </summary>
public sealed class RelayHoldTests
{
    private static StationFixture Fixture(Action<StationConfig>? change = null) => StationFixture.Create(c =>
    {
        c.Relays[0].Mode = RelayMode.Hold; // door (pulse 3 s, max 10 s)
        change?.Invoke(c);
    });

    private static void ShopHours(StationConfig c, string from = "09:00", string to = "18:00") =>
        c.Schedules = [new ScheduleConfig { Id = "shop", Days = "mon-fri", From = from, To = to, HoldRelays = ["door"] }];

    [Fact]
    public void A_pulse_relay_cannot_be_held_and_keeps_pulsing()
    {
        using var f = Fixture();

        f.Station.HoldRelay("gate", "web (admin)");

        Assert.False(f.Board.IsRelayEnergised("gate"));
        Assert.Equal(new RelayHoldRefused("gate", "web (admin)", "it only pulses: its mode is not Hold"), f.Published.OfType<RelayHoldRefused>().Single());
        Assert.False(f.Station.CanHoldRelay("gate"));
        Assert.True(f.Station.CanHoldRelay("door"));

        // Unlock on a pulse relay is a pulse, bounded as before.
        f.Station.UnlockRelay("gate", "mqtt");
        Assert.True(f.Board.IsRelayEnergised("gate"));
        f.Seconds(1);
        Assert.False(f.Board.IsRelayEnergised("gate"));
    }

    [Fact]
    public void A_hold_outlasts_maxMs_is_shown_as_a_hold_and_ends_when_released()
    {
        using var f = Fixture();

        f.Station.HoldRelay("door", "web (admin)");
        f.Seconds(3600);

        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Equal(new RelayHeld("door", "web (admin)", null), f.Published.OfType<RelayHeld>().Single());
        Assert.Equal([new RelayHold("door", "web (admin)", null)], f.Station.GetStatus().HeldRelays);
        Assert.Contains(f.Log, e => e.Message == "door held open by web (admin)");

        f.Station.ReleaseRelay("door", "mqtt");

        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Equal(new RelayReleased("door", "mqtt", WasHeld: true), f.Published.OfType<RelayReleased>().Single());
        Assert.Empty(f.Station.GetStatus().HeldRelays!);
        Assert.Contains(f.Log, e => e.Message == "door hold ended by mqtt");
        Assert.Equal(1, f.Energised("door"));
    }

    [Fact]
    public void Unlock_for_n_minutes_ends_by_itself()
    {
        using var f = Fixture();

        f.Station.HoldRelay("door", "web (admin)", TimeSpan.FromMinutes(30));
        var until = f.Time.GetUtcNow() + TimeSpan.FromMinutes(30);
        Assert.Equal([new RelayHold("door", "web (admin)", until)], f.Station.GetStatus().HeldRelays);
        Assert.Contains(f.Log, e => e.Message == "door held open by web (admin) until 2026-01-05 12:30 UTC");

        f.Seconds(29 * 60 + 59);
        Assert.True(f.Board.IsRelayEnergised("door"));
        f.Seconds(1);

        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Equal(new RelayReleased("door", "the end of its time", WasHeld: true), f.Published.OfType<RelayReleased>().Single());
        Assert.Empty(f.Station.GetStatus().HeldRelays!);
    }

    [Fact]
    public void Unlock_holds_a_hold_relay_until_lock_releases_it()
    {
        using var f = Fixture();

        f.Station.UnlockRelay("door", "mqtt");
        f.Seconds(60);
        Assert.True(f.Board.IsRelayEnergised("door"));

        f.Station.ReleaseRelay("door", "mqtt");
        Assert.False(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void A_code_during_a_hold_does_not_end_it_and_a_code_on_a_hold_relay_is_still_a_bounded_pulse()
    {
        var (f, call) = (Fixture(), default(Calls.CallHandle));
        using var _ = f;
        f.Board.PressButton("button1");
        f.Calls.Answer("sip:alice@pbx.example");
        call = f.Calls.LegTo("sip:alice@pbx.example");

        f.Calls.Keys(call, "1234");
        Assert.True(f.Board.IsRelayEnergised("door"));
        f.Seconds(3);
        Assert.False(f.Board.IsRelayEnergised("door")); // a pulse, even on a Hold relay

        f.Station.HoldRelay("door", "web (admin)");
        f.Calls.Keys(call, "1234");
        f.Seconds(60);
        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Single(f.Published.OfType<RelayHeld>());
    }

    [Fact]
    public void Releasing_a_pulsing_relay_cuts_the_pulse_short()
    {
        using var f = Fixture();

        f.Station.OpenRelay("gate", "web (admin)");
        f.Station.ReleaseRelay("gate", "mqtt");

        Assert.False(f.Board.IsRelayEnergised("gate"));
        Assert.Equal(new RelayReleased("gate", "mqtt", WasHeld: false), f.Published.OfType<RelayReleased>().Single());
    }

    [Fact]
    public void A_schedule_holds_its_relay_during_the_window_from_the_start_and_releases_it_at_its_end()
    {
        using var f = Fixture(c => ShopHours(c)); // Monday 12:00: open

        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Equal([new RelayHold("door", "schedule shop", null)], f.Station.GetStatus().HeldRelays);

        f.Seconds(6 * 3600 - 1);
        Assert.True(f.Board.IsRelayEnergised("door"));
        f.Seconds(1); // 18:00
        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Equal(new RelayReleased("door", "schedule shop (its window ended)", WasHeld: true), f.Published.OfType<RelayReleased>().Single());

        f.Seconds(15 * 3600); // Tuesday 09:00
        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Equal(2, f.Published.OfType<RelayHeld>().Count(e => e.By == "schedule shop"));

        f.Seconds(4 * 24 * 3600); // Saturday 09:00: not a shop day
        Assert.False(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void A_window_starting_later_holds_at_its_minute()
    {
        using var f = Fixture(c => ShopHours(c, "12:30", "13:00"));

        Assert.False(f.Board.IsRelayEnergised("door"));
        f.Seconds(29 * 60 + 59);
        Assert.False(f.Board.IsRelayEnergised("door"));
        f.Seconds(1);
        Assert.True(f.Board.IsRelayEnergised("door"));
        f.Seconds(30 * 60);
        Assert.False(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void Released_by_hand_during_the_window_it_stays_locked_until_the_next_window()
    {
        using var f = Fixture(c => ShopHours(c));

        f.Station.ReleaseRelay("door", "web (admin)"); // closing early
        f.Seconds(3 * 3600);
        Assert.False(f.Board.IsRelayEnergised("door"));

        f.Seconds(18 * 3600); // Tuesday 09:00
        Assert.True(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void A_hold_by_hand_outlasts_the_window_and_a_timed_one_inside_it_does_not_lock_the_shop()
    {
        using var f = Fixture(c => ShopHours(c));

        f.Station.HoldRelay("door", "web (admin)", TimeSpan.FromMinutes(10));
        f.Seconds(11 * 60);
        Assert.True(f.Board.IsRelayEnergised("door")); // the schedule holds on
        Assert.Equal("schedule shop", f.Station.GetStatus().HeldRelays!.Single().By);

        f.Station.HoldRelay("door", "web (admin)");
        f.Seconds(8 * 3600); // past 18:00
        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Equal("web (admin)", f.Station.GetStatus().HeldRelays!.Single().By);
    }

    [Fact]
    public void A_configuration_that_removes_the_schedule_or_turns_hold_off_releases_at_once_and_turning_it_on_waits_for_a_restart()
    {
        using var f = Fixture(c => ShopHours(c));
        Assert.True(f.Board.IsRelayEnergised("door"));

        var withoutSchedule = StationFixture.ValidConfig();
        withoutSchedule.Relays[0].Mode = RelayMode.Hold;
        f.Station.Reconfigure(withoutSchedule);
        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Equal("configuration", f.Published.OfType<RelayReleased>().Single().By);

        f.Station.HoldRelay("door", "web (admin)");
        Assert.True(f.Board.IsRelayEnergised("door"));
        f.Station.Reconfigure(StationFixture.ValidConfig()); // door back to Pulse
        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.False(f.Station.CanHoldRelay("door"));
        f.Station.HoldRelay("door", "web (admin)");
        Assert.False(f.Board.IsRelayEnergised("door"));

        // Hold again in the configuration: still refused until the station restarts with it (relays are read at start).
        var gateHold = StationFixture.ValidConfig();
        gateHold.Relays[0].Mode = RelayMode.Hold;
        gateHold.Relays[1].Mode = RelayMode.Hold;
        f.Station.Reconfigure(gateHold);
        f.Station.HoldRelay("gate", "web (admin)");
        Assert.False(f.Board.IsRelayEnergised("gate"));
    }

    [Fact]
    public void Stopping_the_station_releases_a_hold()
    {
        var f = Fixture(c => ShopHours(c));
        f.Station.HoldRelay("door", "web (admin)");

        f.Station.Dispose();

        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.False(f.Board.IsRelayHeld("door"));
        f.Board.Dispose();
    }

    [Fact]
    public void A_release_of_the_board_on_an_exit_path_ends_the_hold_for_good()
    {
        using var f = Fixture(c => ShopHours(c));
        f.Station.HoldRelay("door", "web (admin)");

        f.Board.ReleaseAll(); // what ProcessExit and the crash handler do
        f.Seconds(120);

        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Equal(new RelayReleased("door", "the board", WasHeld: true), f.Published.OfType<RelayReleased>().Single());
        Assert.Empty(f.Station.GetStatus().HeldRelays!);
    }

    [Fact]
    public void Timed_holds_are_a_minute_to_a_day()
    {
        using var f = Fixture();

        f.Station.HoldRelay("door", "api", TimeSpan.FromDays(2));

        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Equal("a timed hold lasts from a minute to a day", f.Published.OfType<RelayHoldRefused>().Single().Reason);
    }

    [Theory]
    [InlineData("gate", "schedules[0].holdRelays[0]: relay \"gate\" only pulses: set relays[1].mode to Hold (for a lock or strike rated to stay open)")]
    [InlineData("garage", "schedules[0].holdRelays[0]: no relay has the id \"garage\"")]
    public void A_schedule_holds_only_relays_in_hold_mode(string relay, string error)
    {
        var config = StationFixture.ValidConfig();
        config.Schedules = [new ScheduleConfig { Id = "shop", Days = "mon-fri", From = "09:00", To = "18:00", HoldRelays = [relay] }];

        Assert.Equal([error], StationConfigValidator.Validate(config).Select(e => e.ToString()));
    }
}
