using Intercom.Station.Configuration;
using Intercom.Station.Logging;

namespace Intercom.Station.Tests;

/// <summary>A configuration saved from the web page reaches the running station without ending the call in progress.</summary>
public sealed class ReconfigureTests
{
    private const string Alice = "sip:alice@pbx.example";
    private const string Desk = "sip:desk@pbx.example";

    [Fact]
    public void A_button_rings_its_new_group_after_reconfigure()
    {
        using var f = StationFixture.Create();
        var changed = StationFixture.ValidConfig();
        changed.RingGroups.Add(new RingGroupConfig { Id = "desk", Targets = [Desk] });
        changed.Buttons[0].RingGroup = "desk";

        f.Station.Reconfigure(changed);
        f.Board.PressButton("button1");

        Assert.Equal([Desk], f.Calls.Dialled.Select(d => d.Target));
        Assert.Contains(f.Log, e => e.Kind == StationEventKind.Station && e.Message == "configuration applied");
    }

    [Fact]
    public void The_call_in_progress_survives_a_reconfigure_and_its_codes_change()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        var changed = StationFixture.ValidConfig();
        changed.Codes = [new CodeConfig { Code = "5678", Relay = "door" }];

        f.Station.Reconfigure(changed);
        f.Calls.Keys(f.Calls.LegTo(Alice), "5678");

        Assert.Equal(StationCallState.InCall, f.Station.CallState);
        Assert.DoesNotContain(f.Calls.LegTo(Alice), f.Calls.HungUp);
        Assert.Equal(1, f.Energised("door"));
    }

    [Fact]
    public void A_lockout_in_force_is_not_cleared_by_a_reconfigure()
    {
        using var f = StationFixture.Create(c => (c.CodeLock.MaxFailures, c.CodeLock.StationMaxFailures) = (2, 2));
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        var call = f.Calls.LegTo(Alice);
        f.Calls.Keys(call, "0000");
        f.Calls.Keys(call, "0001");
        Assert.True(f.Station.GetStatus().CodeEntryLockedOut);

        var changed = StationFixture.ValidConfig();
        (changed.CodeLock.MaxFailures, changed.CodeLock.StationMaxFailures) = (2, 2);
        f.Station.Reconfigure(changed);
        f.Calls.Keys(call, "1234");

        Assert.True(f.Station.GetStatus().CodeEntryLockedOut);
        Assert.Equal(0, f.Energised("door"));
    }
}
