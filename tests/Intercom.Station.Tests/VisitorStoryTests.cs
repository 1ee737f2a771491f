using Intercom.Hardware;
using Intercom.Station.Calls;

namespace Intercom.Station.Tests;

/// <summary>The whole job, end to end, as the design describes it.</summary>
public sealed class VisitorStoryTests
{
    [Fact]
    public void Visitor_rings_resident_answers_keys_the_code_door_opens_and_closes()
    {
        using var f = StationFixture.Create();
        f.Station.SetRegistered(true, "sip:door@pbx.example");

        f.Board.PressButton("button1");
        f.Calls.Ring(f.Calls.LegTo("sip:alice@pbx.example"));
        f.Seconds(4);
        f.Calls.Answer("sip:alice@pbx.example");
        var call = f.Calls.LegTo("sip:alice@pbx.example");
        f.Seconds(10);
        f.Calls.Keys(call, "1234", DtmfSource.Rfc4733);
        Assert.Equal(LedState.On, f.Board.GetLed(StatusLedKind.DoorOpen));
        f.Seconds(1);
        f.Board.SetDoorOpen(true);
        f.Seconds(2);
        f.Calls.End(call);
        f.Seconds(5);
        f.Board.SetDoorOpen(false);

        Assert.Equal(
            [
                "station started",
                "registered (sip:door@pbx.example)",
                "button button1 pressed",
                "button button1: calling ring group residents (parallel, 1 step(s))",
                "ring group residents: ringing",
                "ring group residents: answered (call 101)",
                "code 'resident' accepted via RFC 4733 on call 101: opening door",
                "door energised",
                "door opened",
                "door released",
                "ring group residents: call ended (RemoteHangUp)",
                "door closed",
            ],
            f.Log.Select(e => e.Message));
        Assert.Equal(StationCallState.Idle, f.Station.CallState);
        Assert.All(f.Log, e => Assert.DoesNotContain("1234", e.Message, StringComparison.Ordinal));

        // Energised for exactly the pulse: 3 s.
        var door = f.Board.RelayTransitions.Where(t => t.RelayId == "door").ToList();
        Assert.Equal(TimeSpan.FromSeconds(3), door[^1].At - door[^2].At);
    }
}
