using Intercom.Hardware;
using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Intercom.Station.Events;

namespace Intercom.Station.Tests;

public sealed class RingGroupTests
{
    private const string Alice = "sip:alice@pbx.example";
    private const string Bob = "sip:bob@pbx.example";
    private const string Desk = "sip:desk@pbx.example";

    [Fact]
    public void Parallel_group_dials_every_target_at_once_and_plays_ringback()
    {
        using var f = StationFixture.Create();

        f.Board.PressButton("button1");

        Assert.Equal([Alice, Bob], f.Calls.Dialled.Select(d => d.Target));
        Assert.Equal(StationTone.Calling, f.Calls.LastTone);
        Assert.Equal(StationCallState.Calling, f.Station.CallState);
        Assert.Equal(LedState.Blink, f.Board.GetLed(StatusLedKind.Calling));
    }

    [Fact]
    public void A_group_that_names_an_account_calls_every_target_from_it()
    {
        using var f = StationFixture.Create(c => c.RingGroups[0].Account = "pbx-tls");

        f.Board.PressButton("button1");

        Assert.Equal([Alice, Bob], f.Calls.Dialled.Select(d => d.Target));
        Assert.Equal(["pbx-tls", "pbx-tls"], f.Calls.DialledAccounts);
    }

    [Fact]
    public void A_dial_request_names_the_account_of_that_call_only_and_the_group_keeps_its_own()
    {
        using var f = StationFixture.Create(c => c.RingGroups[0].Account = "pbx-tls");

        f.Station.Dial("residents", "api", "lan");
        f.Calls.End(f.Calls.LegTo(Alice), CallEndReason.Declined, 603);
        f.Calls.End(f.Calls.LegTo(Bob), CallEndReason.Declined, 603);
        f.Board.PressButton("button1");

        Assert.Equal(["lan", "lan", "pbx-tls", "pbx-tls"], f.Calls.DialledAccounts);
        Assert.Equal("pbx-tls", f.Config.RingGroups[0].Account);
    }

    [Theory]
    [InlineData("web")]
    [InlineData("web:admin")]
    public void A_dial_request_rings_browser_phones_as_a_ring_group_target_does(string target)
    {
        using var f = StationFixture.Create();

        f.Station.Dial(target, "api");

        Assert.Equal([target], f.Calls.Dialled.Select(d => d.Target));
        Assert.DoesNotContain(f.Published, e => e is DialRefused);
    }

    [Theory]
    [InlineData("web:")]
    [InlineData("web:ad min")]
    [InlineData("web:a/b")]
    public void A_malformed_browser_phone_target_is_refused(string target)
    {
        using var f = StationFixture.Create();

        f.Station.Dial(target, "api");

        Assert.Empty(f.Calls.Dialled);
        Assert.Contains(f.Published, e => e is DialRefused { Reason: DialRefusal.NotDialable });
    }

    [Fact]
    public void A_forwarded_leg_is_logged_and_still_rings_under_the_steps_timeout()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        var desk = f.Calls.LegTo(Alice);

        f.Calls.Redirect(desk, "sip:alice-mobile@pbx.example");
        f.Calls.Ring(desk);
        f.Calls.Answer(Alice);

        Assert.Contains(f.Log, e => e.Message == $"ring group residents: {desk} forwarded (302) to sip:alice-mobile@pbx.example");
        Assert.Equal(StationCallState.InCall, f.Station.CallState);
        Assert.Contains(f.Calls.LegTo(Bob), f.Calls.HungUp);
    }

    [Fact]
    public void A_group_without_an_account_leaves_the_choice_to_the_call_side()
    {
        using var f = StationFixture.Create();

        f.Board.PressButton("button1");

        Assert.Equal([null, null], f.Calls.DialledAccounts);
    }

    [Fact]
    public void First_answer_wins_and_the_other_legs_are_cancelled()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");

        f.Calls.Answer(Bob);

        Assert.Equal([f.Calls.LegTo(Alice)], f.Calls.HungUp);
        Assert.Equal(StationCallState.InCall, f.Station.CallState);
        Assert.Equal(StationTone.None, f.Calls.LastTone);
        Assert.Equal(LedState.On, f.Board.GetLed(StatusLedKind.InCall));
        Assert.Equal(LedState.Off, f.Board.GetLed(StatusLedKind.Calling));
    }

    [Fact]
    public void Late_answer_from_a_cancelled_leg_is_hung_up()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer(Bob);
        var alice = f.Calls.LegTo(Alice);

        // Alice's 200 OK crossed our CANCEL (RFC 3261 §9.1).
        f.Calls.Confirm(alice);

        Assert.Equal(2, f.Calls.HungUp.Count(h => h == alice));
        Assert.Equal(StationCallState.InCall, f.Station.CallState);
    }

    [Fact]
    public void Sequential_group_rings_each_target_for_the_ring_timeout()
    {
        using var f = StationFixture.Create(c =>
        {
            c.RingGroups[0].Mode = RingMode.Sequential;
            c.RingGroups[0].RingTimeoutSeconds = 20;
        });

        f.Board.PressButton("button1");
        Assert.Equal([Alice], f.Calls.Dialled.Select(d => d.Target));

        f.Seconds(19);
        Assert.Single(f.Calls.Dialled);
        f.Seconds(1);

        Assert.Equal([Alice, Bob], f.Calls.Dialled.Select(d => d.Target));
        Assert.Equal([f.Calls.LegTo(Alice)], f.Calls.HungUp);
        Assert.Equal(StationCallState.Calling, f.Station.CallState);
    }

    [Fact]
    public void Sequential_group_moves_on_at_once_when_a_target_is_busy()
    {
        using var f = StationFixture.Create(c => c.RingGroups[0].Mode = RingMode.Sequential);
        f.Board.PressButton("button1");

        f.Calls.End(f.Calls.LegTo(Alice), CallEndReason.Busy, 486);

        Assert.Equal([Alice, Bob], f.Calls.Dialled.Select(d => d.Target));
        Assert.Empty(f.Calls.HungUp);
    }

    [Fact]
    public void Fallback_targets_ring_after_every_step_failed()
    {
        using var f = StationFixture.Create(c =>
        {
            c.RingGroups[0].Fallback = [Desk, "sip:mobile@pbx.example"];
            c.RingGroups[0].RingTimeoutSeconds = 15;
        });
        f.Board.PressButton("button1");

        f.Seconds(15);

        Assert.Equal([Alice, Bob, Desk, "sip:mobile@pbx.example"], f.Calls.Dialled.Select(d => d.Target));
        f.Calls.Answer(Desk);
        Assert.Equal(StationCallState.InCall, f.Station.CallState);
    }

    [Fact]
    public void A_group_not_set_up_yet_calls_nobody_and_says_so()
    {
        // The shipped configuration's state: button1 rings "residents", which has no targets yet.
        using var f = StationFixture.Create(c => c.RingGroups[0].Targets = []);

        f.Board.PressButton("button1");

        Assert.Empty(f.Calls.Dialled);
        Assert.Equal(StationTone.Failure, f.Calls.LastTone);
        Assert.Equal(StationCallState.Idle, f.Station.CallState);
        Assert.Contains(f.Log, e => e.Message == "button button1: ring group residents has no targets yet (station.ringGroups)");
    }

    [Fact]
    public void Nobody_answering_ends_with_the_failure_tone_and_the_station_idle()
    {
        using var f = StationFixture.Create(c => c.RingGroups[0].RingTimeoutSeconds = 30);
        f.Board.PressButton("button1");

        f.Seconds(30);

        Assert.Equal(StationTone.Failure, f.Calls.LastTone);
        Assert.Equal(StationCallState.Idle, f.Station.CallState);
        Assert.Equal(2, f.Calls.HungUp.Count);
        Assert.Equal(LedState.Off, f.Board.GetLed(StatusLedKind.Calling));
    }

    [Fact]
    public void Every_target_busy_ends_with_the_busy_tone()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");

        f.Calls.End(f.Calls.LegTo(Alice), CallEndReason.Busy, 486);
        f.Calls.End(f.Calls.LegTo(Bob), CallEndReason.Declined, 603);

        Assert.Equal(StationTone.Busy, f.Calls.LastTone);
        Assert.Equal(StationCallState.Idle, f.Station.CallState);
    }

    [Fact]
    public void Maximum_call_time_hangs_up_the_connected_call()
    {
        using var f = StationFixture.Create(c => c.RingGroups[0].MaxCallSeconds = 90);
        f.Board.PressButton("button1");
        f.Seconds(5);
        f.Calls.Answer(Alice);

        f.Seconds(89);
        Assert.Equal(StationCallState.InCall, f.Station.CallState);
        f.Seconds(1);

        Assert.Contains(f.Calls.LegTo(Alice), f.Calls.HungUp);
        Assert.Equal(StationCallState.Idle, f.Station.CallState);
        Assert.Contains(f.Log, e => e.Message.Contains("maximum call time", StringComparison.Ordinal));
    }

    [Fact]
    public void Remote_hang_up_returns_the_station_to_idle()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);

        f.Calls.End(f.Calls.LegTo(Alice));

        Assert.Equal(StationCallState.Idle, f.Station.CallState);
        Assert.Equal(LedState.Off, f.Board.GetLed(StatusLedKind.InCall));
    }

    [Fact]
    public void Button_during_a_call_is_ignored_by_default()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);

        f.Board.PressButton("button1");

        Assert.Equal(StationCallState.InCall, f.Station.CallState);
        Assert.Equal(2, f.Calls.Dialled.Count);
    }

    [Fact]
    public void Button_during_a_call_hangs_up_when_configured()
    {
        using var f = StationFixture.Create(c => c.RingGroups[0].ButtonDuringCall = ButtonInCallAction.HangUp);
        f.Board.PressButton("button1");

        f.Board.PressButton("button1");

        Assert.Equal(StationCallState.Idle, f.Station.CallState);
        Assert.Equal(2, f.Calls.HungUp.Count);
    }

    [Fact]
    public void Button_during_ringing_skips_to_the_next_target_when_configured()
    {
        using var f = StationFixture.Create(c =>
        {
            c.RingGroups[0].Mode = RingMode.Sequential;
            c.RingGroups[0].ButtonDuringCall = ButtonInCallAction.NextTarget;
        });
        f.Board.PressButton("button1");

        f.Board.PressButton("button1");

        Assert.Equal([Alice, Bob], f.Calls.Dialled.Select(d => d.Target));
        Assert.Equal([f.Calls.LegTo(Alice)], f.Calls.HungUp);
    }

    [Fact]
    public void A_new_press_after_a_call_starts_a_new_call()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        f.Calls.End(f.Calls.LegTo(Alice));

        f.Board.PressButton("button1");

        Assert.Equal(4, f.Calls.Dialled.Count);
        Assert.Equal(StationCallState.Calling, f.Station.CallState);
    }

    [Theory]
    [InlineData(2026, 1, 5, 12, 0, "office")]   // Monday noon: office hours
    [InlineData(2026, 1, 5, 19, 0, "residents")] // Monday evening
    [InlineData(2026, 1, 10, 12, 0, "residents")] // Saturday noon
    [InlineData(2026, 1, 5, 23, 30, "night")]    // Monday night
    [InlineData(2026, 1, 6, 5, 59, "night")]     // Tuesday early: the window that started Monday 22:00
    [InlineData(2026, 1, 10, 23, 0, "residents")] // Saturday night: "mon-fri" windows do not start on Saturday
    public void Schedules_choose_the_ring_group_by_local_time(int y, int mo, int d, int h, int mi, string expected)
    {
        var config = StationFixture.ValidConfig();
        config.RingGroups.Add(new RingGroupConfig { Id = "office", Targets = ["sip:office@pbx.example"] });
        config.RingGroups.Add(new RingGroupConfig { Id = "night", Targets = ["sip:guard@pbx.example"] });
        config.Schedules =
        [
            new ScheduleConfig { Id = "office-hours", Days = "mon-fri", From = "08:00", To = "18:00" },
            new ScheduleConfig { Id = "nights", Days = "mon-fri", From = "22:00", To = "06:00" },
        ];
        config.Buttons[0].Schedules =
        [
            new ScheduledRingGroupConfig { Schedule = "office-hours", RingGroup = "office" },
            new ScheduledRingGroupConfig { Schedule = "nights", RingGroup = "night" },
        ];
        using var f = new StationFixture(config);
        f.Time.SetLocalTimeZone(TimeZoneInfo.Utc);
        f.Time.SetUtcNow(new DateTimeOffset(y, mo, d, h, mi, 0, TimeSpan.Zero));

        f.Board.PressButton("button1");

        var expectedTargets = expected switch
        {
            "office" => new[] { "sip:office@pbx.example" },
            "night" => ["sip:guard@pbx.example"],
            _ => [Alice, Bob],
        };
        Assert.Equal(expectedTargets, f.Calls.Dialled.Select(x => x.Target));
    }

    [Fact]
    public void Schedules_use_the_station_time_zone()
    {
        var config = StationFixture.ValidConfig();
        config.RingGroups.Add(new RingGroupConfig { Id = "office", Targets = ["sip:office@pbx.example"] });
        config.Schedules = [new ScheduleConfig { Id = "office-hours", Days = "mon-fri", From = "08:00", To = "18:00" }];
        config.Buttons[0].Schedules = [new ScheduledRingGroupConfig { Schedule = "office-hours", RingGroup = "office" }];
        using var f = new StationFixture(config);

        // Tuesday 07:30 UTC is 08:30 in Central Europe in winter.
        f.Time.SetLocalTimeZone(TimeZoneInfo.CreateCustomTimeZone("CET-test", TimeSpan.FromHours(1), "CET", "CET"));
        f.Time.SetUtcNow(new DateTimeOffset(2026, 1, 6, 7, 30, 0, TimeSpan.Zero));
        f.Board.PressButton("button1");

        Assert.Equal(["sip:office@pbx.example"], f.Calls.Dialled.Select(x => x.Target));
    }

    [Fact]
    public void Failure_raised_from_inside_Dial_moves_to_the_next_target()
    {
        using var f = StationFixture.Create(c => c.RingGroups[0].Mode = RingMode.Sequential);
        f.Calls.Unroutable.Add(Alice);

        f.Board.PressButton("button1");

        Assert.Equal([Alice, Bob], f.Calls.Dialled.Select(d => d.Target));
        Assert.Equal(StationCallState.Calling, f.Station.CallState);
    }

    [Fact]
    public void Every_target_unroutable_ends_with_the_failure_tone()
    {
        using var f = StationFixture.Create();
        f.Calls.Unroutable.Add(Alice);
        f.Calls.Unroutable.Add(Bob);

        f.Board.PressButton("button1");

        Assert.Equal(StationTone.Failure, f.Calls.LastTone);
        Assert.Equal(StationCallState.Idle, f.Station.CallState);
    }
}
