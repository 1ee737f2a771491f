using Intercom.Hardware;
using Intercom.Station.Logging;

namespace Intercom.Station.Tests;

public sealed class BoardEventTests
{
    [Fact]
    public void Exit_button_releases_the_door_and_lights_the_door_open_led()
    {
        using var f = StationFixture.Create();

        f.Board.PressExitButton();

        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Equal(LedState.On, f.Board.GetLed(StatusLedKind.DoorOpen));
        f.Seconds(3);
        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Equal(LedState.Off, f.Board.GetLed(StatusLedKind.DoorOpen));
    }

    [Fact]
    public void Tamper_lights_the_fault_led_and_is_logged()
    {
        using var f = StationFixture.Create();

        f.Board.SetTamper(true);

        Assert.Equal(LedState.On, f.Board.GetLed(StatusLedKind.Fault));
        Assert.Contains(f.Log, e => e.Kind == StationEventKind.Tamper);
        f.Board.SetTamper(false);
        Assert.Equal(LedState.Off, f.Board.GetLed(StatusLedKind.Fault));
    }

    [Fact]
    public void Door_held_open_blinks_the_fault_led_until_it_closes()
    {
        using var f = StationFixture.Create(c => c.Board.DoorHeldOpenSeconds = 45);

        f.Board.SetDoorOpen(true);
        f.Seconds(45);
        Assert.Equal(LedState.Blink, f.Board.GetLed(StatusLedKind.Fault));
        Assert.Contains(f.Log, e => e.Message.Contains("held open", StringComparison.Ordinal));

        f.Board.SetDoorOpen(false);
        Assert.Equal(LedState.Off, f.Board.GetLed(StatusLedKind.Fault));
    }

    [Fact]
    public void Door_opened_without_a_release_is_logged_as_such()
    {
        using var f = StationFixture.Create();

        f.Board.SetDoorOpen(true);

        Assert.Contains(f.Log, e => e.Message == "door opened without electric release");
    }

    [Fact]
    public void Registration_state_drives_the_registered_and_fault_leds()
    {
        using var f = StationFixture.Create();

        f.Station.SetRegistered(true, "sip:door@pbx.example");
        Assert.Equal(LedState.On, f.Board.GetLed(StatusLedKind.Registered));
        f.Station.SetRegistered(false, "401");

        Assert.Equal(LedState.Off, f.Board.GetLed(StatusLedKind.Registered));
        Assert.Equal(LedState.On, f.Board.GetLed(StatusLedKind.Fault));
    }

    [Fact]
    public void Api_open_pulses_the_relay_and_logs_who_asked()
    {
        using var f = StationFixture.Create();

        f.Station.OpenRelay("gate", "web:admin");

        Assert.True(f.Board.IsRelayEnergised("gate"));
        Assert.Contains(f.Log, e => e.Message == "gate opened by web:admin");
    }

    [Fact]
    public void Dispose_hangs_up_and_releases_every_relay()
    {
        var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer("sip:alice@pbx.example");
        f.Station.OpenRelay("door", "test");

        f.Station.Dispose();

        Assert.Contains(f.Calls.LegTo("sip:alice@pbx.example"), f.Calls.HungUp);
        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Equal(StationCallState.Idle, f.Station.CallState);
        f.Board.Dispose();
    }

    [Fact]
    public void Events_raised_on_other_threads_are_serialised()
    {
        using var f = StationFixture.Create(c => c.RingGroups[0].ButtonDuringCall = Intercom.Station.Configuration.ButtonInCallAction.Ignore);

        Parallel.For(0, 50, _ => f.Board.PressButton("button1"));

        // Exactly one call was started; every other press was ignored during it.
        Assert.Equal(2, f.Calls.Dialled.Count);
        Assert.Equal(50, f.Log.Count(e => e.Kind == StationEventKind.Button && e.Message == "button button1 pressed"));
    }

    [Fact]
    public void Status_snapshot_reflects_board_call_and_lockout_state()
    {
        using var f = StationFixture.Create(c =>
        {
            c.CodeLock.MaxFailures = 2;
            c.CodeLock.StationMaxFailures = 2;
            c.Incoming.AutoAnswer = true;
        });
        Assert.Null(f.Station.GetStatus().Registered);

        f.Station.SetRegistered(true, "ok");
        f.Board.SetDoorOpen(true);
        f.Station.OpenRelay("gate", "test");
        var call = f.Calls.Incoming("sip:x@y");
        f.Board.PressButton("button1");
        f.Calls.Answer("sip:alice@pbx.example");
        f.Calls.Keys(f.Calls.LegTo("sip:alice@pbx.example"), "0000" + "0001");

        var status = f.Station.GetStatus();
        Assert.Equal(StationCallState.InCall, status.CallState);
        Assert.True(status.Registered);
        Assert.True(status.DoorOpen);
        Assert.False(status.TamperActive);
        Assert.True(status.CodeEntryLockedOut);
        Assert.Equal(["gate"], status.EnergisedRelays);
        Assert.Equal([(call, 403)], f.Calls.Rejected);
    }
}

/// <summary>The input states home automation shows (#21): forced open and held open until the door closes, the keypad's and the station's lockouts until they end.</summary>
public sealed class InputStateTests
{
    [Fact]
    public void A_door_opened_without_the_relay_is_forced_until_it_closes_and_held_open_after_the_limit()
    {
        using var f = StationFixture.Create();

        f.Board.SetDoorOpen(true);
        Assert.True(f.Station.GetStatus().DoorForcedOpen);
        Assert.False(f.Station.GetStatus().DoorHeldOpen);
        f.Seconds(60);
        Assert.True(f.Station.GetStatus().DoorHeldOpen);

        f.Board.SetDoorOpen(false);
        Assert.False(f.Station.GetStatus().DoorForcedOpen);
        Assert.False(f.Station.GetStatus().DoorHeldOpen);

        f.Station.OpenRelay("door", "web (admin)");
        f.Board.SetDoorOpen(true);
        Assert.False(f.Station.GetStatus().DoorForcedOpen);
    }

    [Fact]
    public void The_keypads_lockout_and_the_stations_end_with_an_event()
    {
        using var f = StationFixture.Create(c =>
        {
            c.Board.Keypad = new Intercom.Station.Configuration.KeypadWiringConfig();
            c.Keypad.LocalCodes = [new Intercom.Station.Configuration.CodeConfig { Code = "2580", Relay = "door" }];
            c.CodeLock.StationMaxFailures = 3;
            c.CodeLock.StationLockoutSeconds = 120;
        });

        foreach (var key in "000011112222")
        {
            f.Board.PressKey(key);
        }

        Assert.True(f.Station.GetStatus().KeypadLockedOut);
        Assert.True(f.Station.GetStatus().CodeEntryLockedOut);
        f.Seconds(60);
        Assert.False(f.Station.GetStatus().KeypadLockedOut);
        Assert.Equal([new Intercom.Station.Events.CodeLockoutEnded("keypad")], f.Published.OfType<Intercom.Station.Events.CodeLockoutEnded>());
        f.Seconds(60);
        Assert.False(f.Station.GetStatus().CodeEntryLockedOut);
        Assert.Equal(new Intercom.Station.Events.CodeLockoutEnded(null), f.Published.OfType<Intercom.Station.Events.CodeLockoutEnded>().Last());
        Assert.Contains(f.Log, e => e.Message == "keypad lockout ended");
        Assert.Contains(f.Log, e => e.Message == "station lockout ended");
    }
}
