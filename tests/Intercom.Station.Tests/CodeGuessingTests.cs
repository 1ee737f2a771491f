using Intercom.Station.Calls;
using Intercom.Station.Codes;
using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Intercom.Station.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Station.Tests;

/// <summary>
/// Issue #15, point 3: every try at a code counts, however it ends; a caller is counted by where the call comes from,
/// across calls; a right code clears no count; repeated lockouts double; and nothing tells a near miss from a far one.
/// The station has codes of two lengths here (1234 and 987654), so a wrong 4-digit entry is still "in progress" when
/// it is given up.
/// </summary>
public sealed class CodeGuessingTests
{
    private const string Resident = "sip:resident@pbx.example";
    private const string Attacker = "192.0.2.66";
    private const string Home = "192.0.2.10";

    private static StationFixture Fixture(Action<StationConfig>? change = null) => StationFixture.Create(c =>
    {
        c.Codes.Add(new CodeConfig { Id = "long", Code = "987654", Relay = "door" });
        c.Incoming.Allowlist = [Resident];
        c.Incoming.AutoAnswer = true;
        c.Incoming.AnnouncementBeep = false;
        change?.Invoke(c);
    });

    /// <summary>An allowlisted call from <paramref name="source"/> keys <paramref name="digits"/> and hangs up.</summary>
    private static void CallKeyAndHangUp(StationFixture f, string source, string digits)
    {
        var call = f.Calls.Incoming(Resident, source);
        Assert.Contains(call, f.Calls.Answered);
        f.Calls.Keys(call, digits, DtmfSource.SipInfo);
        f.Calls.End(call);
    }

    /// <summary>Calls from <paramref name="source"/> with the right code: did it open the door?</summary>
    private static bool RightCodeOpens(StationFixture f, string source)
    {
        var before = Accepted(f);
        CallKeyAndHangUp(f, source, "1234");
        return Accepted(f) > before;
    }

    private static int Accepted(StationFixture f) => f.Log.Count(e => e.Kind == StationEventKind.CodeAccepted);

    private static int WrongCodes(StationFixture f) => f.Log.Count(e => e.Kind == StationEventKind.CodeRejected);

    private static List<string> Lockouts(StationFixture f) =>
        [.. f.Log.Where(e => e.Kind == StationEventKind.Lockout && e.Message.Contains(" locked out for ", StringComparison.Ordinal)).Select(e => e.Message)];

    [Fact]
    public void A_wrong_four_digit_code_abandoned_by_hanging_up_counts_though_a_longer_code_exists()
    {
        using var f = Fixture();

        CallKeyAndHangUp(f, Attacker, "5555");

        var wrong = Assert.Single(f.Log, e => e.Kind == StationEventKind.CodeRejected);
        Assert.Contains("hang-up", wrong.Message, StringComparison.Ordinal);
        Assert.Contains($"from {Attacker}", wrong.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("5555", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fewer_digits_than_the_shortest_code_are_a_typo_not_a_guess()
    {
        using var f = Fixture();

        CallKeyAndHangUp(f, Attacker, "555");

        Assert.Equal(0, WrongCodes(f));
    }

    [Fact]
    public void An_attempt_left_to_time_out_after_the_shortest_codes_length_counts()
    {
        using var f = Fixture();
        var call = f.Calls.Incoming(Resident, Attacker);

        f.Calls.Keys(call, "5555");
        f.Seconds(5);

        Assert.Contains(f.Log, e => e.Kind == StationEventKind.CodeRejected && e.Message.Contains("via timeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Fifteen_calls_each_abandoning_a_wrong_code_lock_the_caller_out_and_the_right_code_then_opens_nothing()
    {
        using var f = Fixture();

        for (var i = 0; i < 15; i++)
        {
            CallKeyAndHangUp(f, Attacker, (5000 + i * 7).ToString("0000", System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Contains($"caller {Attacker} locked out for 60 s after 3 wrong codes", Lockouts(f));
        Assert.False(RightCodeOpens(f, Attacker));
        Assert.Equal(0, f.Energised("door"));
    }

    [Fact]
    public void Calling_again_from_the_same_source_does_not_start_a_new_count()
    {
        using var f = Fixture();

        CallKeyAndHangUp(f, Attacker, "5555");
        CallKeyAndHangUp(f, Attacker, "5556");
        Assert.Empty(Lockouts(f));
        CallKeyAndHangUp(f, Attacker, "5557");

        Assert.Equal([$"caller {Attacker} locked out for 60 s after 3 wrong codes"], Lockouts(f));
        Assert.False(RightCodeOpens(f, Attacker));

        // Another source is not locked out by it; and the attacker's lockout ends on time.
        Assert.True(RightCodeOpens(f, Home));
        f.Seconds(60);
        Assert.True(RightCodeOpens(f, Attacker));
    }

    [Fact]
    public void Callers_from_one_ipv6_64_share_a_count()
    {
        using var f = Fixture();

        CallKeyAndHangUp(f, "2001:db8:1:2::a", "5555");
        CallKeyAndHangUp(f, "2001:db8:1:2::b", "5556");
        CallKeyAndHangUp(f, "2001:db8:1:2:ffff:ffff:ffff:ffff", "5557");

        Assert.Equal(["caller 2001:db8:1:2::/64 locked out for 60 s after 3 wrong codes"], Lockouts(f));
        Assert.False(RightCodeOpens(f, "2001:db8:1:2::c"));
        Assert.True(RightCodeOpens(f, "2001:db8:1:3::1"));
    }

    [Fact]
    public void The_keypads_clear_key_after_a_codes_length_counts_as_a_wrong_code()
    {
        using var f = Fixture(c =>
        {
            c.Board.Keypad = new KeypadWiringConfig();
            c.Keypad.LocalCodes = [new CodeConfig { Code = "2580", Relay = "door" }, new CodeConfig { Code = "135790", Relay = "door" }];
        });

        foreach (var key in "11*")
        {
            f.Board.PressKey(key);
        }

        Assert.Equal(0, WrongCodes(f));

        foreach (var key in "1111*")
        {
            f.Board.PressKey(key);
        }

        var wrong = Assert.Single(f.Log, e => e.Kind == StationEventKind.CodeRejected);
        Assert.Contains("clear key", wrong.Message, StringComparison.Ordinal);
        Assert.Equal(StationTone.Rejected, f.Calls.LastTone);
    }

    [Fact]
    public void A_residents_right_code_does_not_reset_the_station_count_an_attacker_builds()
    {
        using var f = Fixture(c => (c.CodeLock.MaxFailures, c.CodeLock.StationMaxFailures) = (3, 4));

        // The attacker spreads guesses over sources and times them around the resident's successes.
        CallKeyAndHangUp(f, "192.0.2.101", "5555");
        CallKeyAndHangUp(f, "192.0.2.102", "5556");
        Assert.True(RightCodeOpens(f, Home));
        CallKeyAndHangUp(f, "192.0.2.103", "5557");
        Assert.True(RightCodeOpens(f, Home));
        CallKeyAndHangUp(f, "192.0.2.104", "5558");

        Assert.Equal(["station locked out for 300 s after 4 wrong codes"], Lockouts(f));
        Assert.False(RightCodeOpens(f, Home));
    }

    [Fact]
    public void A_right_code_does_not_clear_the_callers_own_count_either()
    {
        using var f = Fixture();

        CallKeyAndHangUp(f, Attacker, "5555");
        CallKeyAndHangUp(f, Attacker, "5556");
        Assert.True(RightCodeOpens(f, Attacker));
        CallKeyAndHangUp(f, Attacker, "5557");

        Assert.Equal([$"caller {Attacker} locked out for 60 s after 3 wrong codes"], Lockouts(f));
    }

    [Fact]
    public void Each_further_lockout_of_a_caller_lasts_twice_as_long_up_to_the_longest()
    {
        using var f = Fixture(c => (c.CodeLock.LockoutSeconds, c.CodeLock.MaxLockoutSeconds, c.CodeLock.StationMaxFailures, c.CodeLock.StationLockoutSeconds) = (60, 200, 100, 100));

        foreach (var expected in new[] { 60, 120, 200, 200 })
        {
            CallKeyAndHangUp(f, Attacker, "5555#5556#5557#");
            Assert.EndsWith($"locked out for {expected} s after 3 wrong codes" + (expected == 60 ? "" : $" (lockout {Lockouts(f).Count} in a row)"), Lockouts(f)[^1]);

            f.Seconds(expected - 1);
            Assert.False(RightCodeOpens(f, Attacker));
            f.Seconds(1);
        }

        Assert.True(RightCodeOpens(f, Attacker));
    }

    [Fact]
    public void A_first_lockout_longer_than_the_cap_is_kept_and_not_doubled()
    {
        using var f = Fixture(c => (c.CodeLock.LockoutSeconds, c.CodeLock.MaxLockoutSeconds, c.CodeLock.StationMaxFailures) = (7200, 3600, 100));

        CallKeyAndHangUp(f, Attacker, "5555#5556#5557#");
        f.Seconds(7200);
        CallKeyAndHangUp(f, Attacker, "5555#5556#5557#");

        Assert.Equal(
            [$"caller {Attacker} locked out for 7200 s after 3 wrong codes", $"caller {Attacker} locked out for 7200 s after 3 wrong codes (lockout 2 in a row)"],
            Lockouts(f));
    }

    [Fact]
    public void Each_further_station_lockout_lasts_twice_as_long()
    {
        using var f = Fixture(c => (c.CodeLock.MaxFailures, c.CodeLock.StationMaxFailures, c.CodeLock.StationLockoutSeconds) = (3, 3, 300));

        CallKeyAndHangUp(f, "192.0.2.101", "5555#5556#5557#");
        Assert.Contains("station locked out for 300 s after 3 wrong codes", Lockouts(f));
        f.Seconds(300);

        CallKeyAndHangUp(f, "192.0.2.102", "5555#5556#5557#");
        Assert.Contains("station locked out for 600 s after 3 wrong codes (lockout 2 in a row)", Lockouts(f));
        f.Seconds(599);
        Assert.False(RightCodeOpens(f, Home));
        f.Seconds(1);
        Assert.True(RightCodeOpens(f, Home));
    }

    [Fact]
    public void Counts_and_doubling_are_forgotten_only_after_a_quiet_period()
    {
        using var f = Fixture(c => c.CodeLock.ForgetAfterSeconds = 3600);

        // Two wrong codes, an hour less a second of quiet, and a third: that is three.
        CallKeyAndHangUp(f, Attacker, "5555#5556#");
        f.Seconds(3599);
        CallKeyAndHangUp(f, Attacker, "5557");
        Assert.Single(Lockouts(f));

        // Quiet for an hour after the lockout ended: the next lockout is a first one again (60 s, not 120 s).
        f.Seconds(60 + 3600);
        CallKeyAndHangUp(f, Attacker, "5555#5556#");
        f.Seconds(3600);
        CallKeyAndHangUp(f, Attacker, "5557");
        Assert.Single(Lockouts(f));
        CallKeyAndHangUp(f, Attacker, "5558#5559#");

        Assert.Equal([$"caller {Attacker} locked out for 60 s after 3 wrong codes", $"caller {Attacker} locked out for 60 s after 3 wrong codes"], Lockouts(f));
    }

    [Theory]
    [InlineData("9876", "5555")]     // the first four digits of 987654, or nothing like a code
    [InlineData("98765", "55555")]
    [InlineData("987655", "555555")]
    [InlineData("1235", "5555")]     // one digit off the short code
    public void A_near_miss_and_a_far_miss_look_and_sound_the_same(string near, string far)
    {
        (string, StationEventKind, string)[] Trace(string guess, bool timeOut)
        {
            using var f = Fixture();
            var call = f.Calls.Incoming(Resident, Attacker);
            f.Calls.Keys(call, guess, DtmfSource.SipInfo);
            if (timeOut)
            {
                f.Seconds(5);
            }

            f.Calls.End(call);
            CallKeyAndHangUp(f, Attacker, guess + "0");
            return [.. f.Log.Select(e => (e.At.ToString("O"), e.Kind, e.Message)), .. f.Calls.Tones.Select(t => ("tone", StationEventKind.Call, t.ToString()))];
        }

        Assert.Equal(Trace(far, timeOut: false), Trace(near, timeOut: false));
        Assert.Equal(Trace(far, timeOut: true), Trace(near, timeOut: true));
    }

    [Fact]
    public void A_lockout_logs_ignored_entries_once_however_often_the_caller_calls_back()
    {
        using var f = Fixture();
        CallKeyAndHangUp(f, Attacker, "5555#5556#5557#");

        for (var i = 0; i < 50; i++)
        {
            CallKeyAndHangUp(f, Attacker, "1234");
        }

        Assert.Single(f.Log, e => e.Kind == StationEventKind.Lockout && e.Message.Contains("ignored", StringComparison.Ordinal));
        Assert.Equal(0, Accepted(f));
    }

    [Fact]
    public void A_resident_who_answers_a_door_call_and_hangs_up_mid_code_has_made_a_guess()
    {
        using var f = Fixture();
        f.Board.PressButton("button1");
        f.Calls.Answer("sip:alice@pbx.example");
        var call = f.Calls.LegTo("sip:alice@pbx.example");

        f.Calls.Keys(call, "5555");
        f.Calls.End(call);

        Assert.Equal(1, WrongCodes(f));
    }

    [Fact]
    public void The_table_of_sources_is_bounded_and_evicts_a_locked_out_source_last()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        var config = new CodeLockConfig { StationMaxFailures = 1_000_000 };
        using var codeLock = new DtmfCodeLock(config, [new CodeConfig { Code = "1234", Relay = "door" }], [], new StationLoop(NullLogger.Instance), time, new StationEventBus());

        var locked = CodeScope.ForCall(new CallHandle(1));
        codeLock.IdentifyCaller(locked, System.Net.IPAddress.Parse("198.51.100.1"));
        foreach (var digit in "555555555555")
        {
            codeLock.Enter(locked, digit, "SIP INFO", out _);
        }

        Assert.True(codeLock.IsLockedOut(locked));
        codeLock.EndScope(locked);

        for (var i = 0; i < 3 * DtmfCodeLock.MaxRememberedSources; i++)
        {
            var scope = CodeScope.ForCall(new CallHandle(10 + i));
            codeLock.IdentifyCaller(scope, new System.Net.IPAddress([10, 0, (byte)(i >> 8), (byte)i]));
            foreach (var digit in "5555")
            {
                codeLock.Enter(scope, digit, "SIP INFO", out _);
            }

            codeLock.EndScope(scope);
            Assert.InRange(codeLock.RememberedCallers, 1, DtmfCodeLock.MaxRememberedSources);
        }

        var again = CodeScope.ForCall(new CallHandle(99_999));
        codeLock.IdentifyCaller(again, System.Net.IPAddress.Parse("198.51.100.1"));
        Assert.True(codeLock.IsLockedOut(again));
    }
}
