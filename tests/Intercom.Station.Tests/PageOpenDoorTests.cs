using Intercom.Station.Calls;
using Intercom.Station.Events;

namespace Intercom.Station.Tests;

/// <summary>
/// The Open door button of the station's page in a call (issue #20, <see cref="DoorStation.OpenDoorFromPage"/>): the
/// door opens by the code path, as a right code keyed in that call would (the accepted tone, CodeAccepted naming the web
/// user, the hang-up-after-open rule), and only while the connected call is with that user's own page. On the fake clock.
/// </summary>
public sealed class PageOpenDoorTests
{
    private const string WebTarget = "web:admin";

    /// <summary>The button rang the page (ring-group target web:admin) and the page answered.</summary>
    private static (StationFixture F, CallHandle Call) PageInCall(Action<Configuration.StationConfig>? change = null)
    {
        var f = StationFixture.Create(c =>
        {
            c.RingGroups[0].Targets = [WebTarget, "sip:alice@pbx.example"];
            change?.Invoke(c);
        });
        f.Board.PressButton("button1");
        var leg = f.Calls.LegTo(WebTarget);
        f.Calls.WebUsers[leg] = "admin";
        f.Calls.Answer(WebTarget);
        return (f, leg);
    }

    [Fact]
    public async Task The_page_in_the_call_opens_the_door_as_a_right_code_does_named_as_its_web_user()
    {
        var (f, call) = PageInCall(c => c.HangUpAfterOpenSeconds = 5);
        using var _ = f;

        Assert.True(await f.Station.OpenDoorFromPage("admin"));

        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Equal(StationTone.Accepted, f.Calls.LastTone);
        Assert.Equal(new CodeAccepted(null, "web page", call.ToString(), "door", "admin"), Assert.Single(f.Published.OfType<CodeAccepted>()));
        Assert.DoesNotContain(f.Published, e => e is RelayOpenRequested);
        Assert.Contains(f.Log, e => e.Message == $"open accepted from the web page by 'admin' on {call}: opening door");
        Assert.Equal(new CallEndingAfterOpen(call, "door", "web user 'admin'", 5), Assert.Single(f.Published.OfType<CallEndingAfterOpen>()));

        f.Seconds(5);
        Assert.Contains(call, f.Calls.HungUp);
    }

    [Fact]
    public async Task Without_a_connected_call_nothing_opens()
    {
        using var f = StationFixture.Create();

        Assert.False(await f.Station.OpenDoorFromPage("admin"));

        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.DoesNotContain(f.Published, e => e is CodeAccepted);
    }

    [Fact]
    public async Task A_page_that_is_only_ringing_opens_nothing()
    {
        using var f = StationFixture.Create(c => c.RingGroups[0].Targets = [WebTarget]);
        f.Board.PressButton("button1");
        var leg = f.Calls.LegTo(WebTarget);
        f.Calls.WebUsers[leg] = "admin";
        f.Calls.Ring(leg);

        Assert.False(await f.Station.OpenDoorFromPage("admin"));
        Assert.False(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public async Task A_call_with_a_desk_phone_or_another_users_page_opens_nothing_from_this_page()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");
        f.Calls.Answer("sip:alice@pbx.example");

        Assert.False(await f.Station.OpenDoorFromPage("admin"));

        f.Calls.WebUsers[f.Calls.LegTo("sip:alice@pbx.example")] = "bob";
        Assert.False(await f.Station.OpenDoorFromPage("admin"));

        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.DoesNotContain(f.Published, e => e is CodeAccepted);
        Assert.Equal(StationCallState.InCall, f.Station.CallState);
    }

    [Fact]
    public async Task A_lockout_from_guessed_codes_does_not_stop_the_page_and_the_page_clears_no_count()
    {
        var (f, call) = PageInCall(c =>
        {
            c.CodeLock.MaxFailures = 2;
            c.CodeLock.LockoutSeconds = 60;
        });
        using var _ = f;
        f.Calls.Keys(call, "0000");
        f.Calls.Keys(call, "0001");
        Assert.Single(f.Published.OfType<CodeLockedOut>());

        // The page's user gave the password; no digits are guessed, so the lockout is not in its way.
        Assert.True(await f.Station.OpenDoorFromPage("admin"));
        Assert.True(f.Board.IsRelayEnergised("door"));

        // The call's lockout is still in force for digits: the right code now opens nothing.
        f.Seconds(10);
        Assert.False(f.Board.IsRelayEnergised("door"));
        f.Calls.Keys(call, "1234");
        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Single(f.Published.OfType<CodeAccepted>());
    }
}
