using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Tests;

public sealed class CodeLockTests
{
    private const string Alice = "sip:alice@pbx.example";

    private static (StationFixture F, CallHandle Call) Connected(Action<Intercom.Station.Configuration.StationConfig>? change = null)
    {
        var f = StationFixture.Create(change);
        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        return (f, f.Calls.LegTo(Alice));
    }

    private static void AssertNoDigitsLogged(StationFixture f, params string[] secrets)
    {
        foreach (var e in f.Log)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Code_keyed_in_a_call_opens_its_relay_and_confirms()
    {
        var (f, call) = Connected();
        using var _ = f;

        f.Calls.Keys(call, "1234");

        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Equal(StationTone.Accepted, f.Calls.LastTone);
        Assert.Contains(f.Log, e => e.Kind == StationEventKind.CodeAccepted && e.Message.Contains("RFC 4733", StringComparison.Ordinal));
        AssertNoDigitsLogged(f, "1234");
    }

    [Fact]
    public void Code_with_star_and_hash_works_from_any_dtmf_path()
    {
        var (f, call) = Connected();
        using var _ = f;

        f.Calls.Keys(call, "*1", DtmfSource.SipInfo);
        f.Calls.Keys(call, "2#", DtmfSource.Inband);

        Assert.True(f.Board.IsRelayEnergised("gate"));
        Assert.False(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void Dtmf_on_a_leg_that_is_only_ringing_opens_nothing()
    {
        using var f = StationFixture.Create();
        f.Board.PressButton("button1");

        f.Calls.Keys(f.Calls.LegTo(Alice), "1234");

        Assert.False(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void Digits_further_apart_than_the_inter_digit_timeout_start_a_new_attempt()
    {
        var (f, call) = Connected(c => c.CodeLock.InterDigitTimeoutMs = 3000);
        using var _ = f;

        f.Calls.Keys(call, "12");
        f.Seconds(3);
        f.Calls.Keys(call, "34");
        Assert.False(f.Board.IsRelayEnergised("door"));

        f.Seconds(3);
        f.Calls.Keys(call, "12");
        f.Seconds(2.9);
        f.Calls.Keys(call, "34");
        Assert.True(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void Timeout_after_a_full_length_attempt_counts_as_a_wrong_code()
    {
        var (f, call) = Connected(c => c.Codes.Add(new() { Code = "555555", Relay = "door" }));
        using var _ = f;

        f.Calls.Keys(call, "5556");
        f.Seconds(5);

        Assert.Single(f.Log, e => e.Kind == StationEventKind.CodeRejected);
    }

    [Fact]
    public void Short_typo_then_timeout_is_not_a_wrong_code()
    {
        var (f, call) = Connected();
        using var _ = f;

        f.Calls.Keys(call, "12");
        f.Seconds(10);

        Assert.DoesNotContain(f.Log, e => e.Kind == StationEventKind.CodeRejected);
    }

    [Fact]
    public void Wrong_codes_lock_the_call_out_and_a_right_code_then_does_nothing()
    {
        var (f, call) = Connected(c =>
        {
            c.CodeLock.MaxFailures = 3;
            c.CodeLock.LockoutSeconds = 60;
            c.RingGroups[0].MaxCallSeconds = 600;
        });
        using var _ = f;

        f.Calls.Keys(call, "0000" + "1111" + "2222");
        Assert.Equal(3, f.Log.Count(e => e.Kind == StationEventKind.CodeRejected));
        Assert.Contains(f.Log, e => e.Kind == StationEventKind.Lockout);

        f.Calls.Keys(call, "1234");
        Assert.False(f.Board.IsRelayEnergised("door"));
        Assert.Equal(StationTone.Rejected, f.Calls.LastTone);

        f.Seconds(60);
        f.Calls.Keys(call, "1234");
        Assert.True(f.Board.IsRelayEnergised("door"));
        AssertNoDigitsLogged(f, "0000", "1111", "2222", "1234");
    }

    [Fact]
    public void Hash_ends_an_attempt_and_a_lone_hash_is_ignored()
    {
        var (f, call) = Connected();
        using var _ = f;

        f.Calls.Keys(call, "#");
        Assert.DoesNotContain(f.Log, e => e.Kind == StationEventKind.CodeRejected);

        f.Calls.Keys(call, "12#");
        Assert.Single(f.Log, e => e.Kind == StationEventKind.CodeRejected);

        f.Calls.Keys(call, "1234#");
        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Single(f.Log, e => e.Kind == StationEventKind.CodeRejected);
    }

    [Fact]
    public void Per_call_count_starts_again_in_a_new_call_but_the_station_count_does_not()
    {
        using var f = StationFixture.Create(c =>
        {
            c.CodeLock.MaxFailures = 3;
            c.CodeLock.StationMaxFailures = 5;
            c.CodeLock.StationLockoutSeconds = 300;
            c.RingGroups[0].MaxCallSeconds = 600;
        });

        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        f.Calls.Keys(f.Calls.LegTo(Alice), "0000" + "0001");
        f.Calls.End(f.Calls.LegTo(Alice));

        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        var second = f.Calls.LegTo(Alice);
        f.Calls.Keys(second, "0002" + "0003");
        Assert.DoesNotContain(f.Log, e => e.Kind == StationEventKind.Lockout);

        // Fifth wrong code in total: the station locks out, though this call has only three failures.
        f.Calls.Keys(second, "0004");
        Assert.Contains(f.Log, e => e.Kind == StationEventKind.Lockout && e.Message.StartsWith("station locked out", StringComparison.Ordinal));
        f.Calls.End(second);

        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        var third = f.Calls.LegTo(Alice);
        f.Calls.Keys(third, "1234");
        Assert.False(f.Board.IsRelayEnergised("door"));

        f.Seconds(300);
        f.Calls.Keys(third, "1234");
        Assert.True(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void Repeated_codes_never_hold_the_door_relay_past_its_maximum()
    {
        var (f, call) = Connected(c =>
        {
            c.Relays[0].PulseMs = 3000;
            c.Relays[0].MaxMs = 5000;
            c.RingGroups[0].MaxCallSeconds = 600;
        });
        using var _ = f;

        for (var i = 0; i < 10; i++)
        {
            f.Calls.Keys(call, "1234");
            f.Seconds(1);
        }

        var transitions = f.Board.RelayTransitions.Where(t => t.RelayId == "door").ToList();
        for (var i = 0; i + 1 < transitions.Count; i++)
        {
            if (transitions[i].Energised)
            {
                Assert.True(transitions[i + 1].At - transitions[i].At <= TimeSpan.FromSeconds(5));
            }
        }

        Assert.True(transitions.Count(t => t.Energised) >= 2);
    }
}
