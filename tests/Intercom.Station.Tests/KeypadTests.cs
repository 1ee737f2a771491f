using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Intercom.Station.Logging;

namespace Intercom.Station.Tests;

public sealed class KeypadTests
{
    private static StationFixture Fixture(Action<StationConfig>? change = null) => StationFixture.Create(c =>
    {
        c.Board.Keypad = new KeypadWiringConfig();
        c.Keypad.LocalCodes = [new CodeConfig { Code = "2580", Relay = "door" }];
        c.Keypad.DialMap =
        [
            new DialEntryConfig { Apartment = "12", Target = "residents" },
            new DialEntryConfig { Apartment = "204", Target = "sip:204@pbx.example" },
        ];
        change?.Invoke(c);
    });

    private static void Type(StationFixture f, string keys)
    {
        foreach (var key in keys)
        {
            f.Board.PressKey(key);
        }
    }

    [Fact]
    public void Local_code_opens_the_door()
    {
        using var f = Fixture();

        Type(f, "2580");

        Assert.True(f.Board.IsRelayEnergised("door"));
        Assert.Equal(StationTone.Accepted, f.Calls.LastTone);
    }

    [Fact]
    public void Dtmf_codes_do_not_work_at_the_keypad()
    {
        using var f = Fixture();

        Type(f, "1234");

        Assert.False(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void Apartment_and_call_key_rings_its_ring_group()
    {
        using var f = Fixture();

        Type(f, "12#");

        Assert.Equal(["sip:alice@pbx.example", "sip:bob@pbx.example"], f.Calls.Dialled.Select(d => d.Target));
        Assert.Equal(StationCallState.Calling, f.Station.CallState);
    }

    [Fact]
    public void Apartment_mapped_to_a_uri_rings_it_for_the_keypad_ring_timeout()
    {
        using var f = Fixture(c => c.Keypad.RingTimeoutSeconds = 25);

        Type(f, "204#");
        Assert.Equal(["sip:204@pbx.example"], f.Calls.Dialled.Select(d => d.Target));
        f.Seconds(25);

        Assert.Equal(StationCallState.Idle, f.Station.CallState);
        Assert.Equal(StationTone.Failure, f.Calls.LastTone);
    }

    [Fact]
    public void Clear_key_forgets_what_was_typed()
    {
        using var f = Fixture();

        Type(f, "1*204#");

        Assert.Equal(["sip:204@pbx.example"], f.Calls.Dialled.Select(d => d.Target));
    }

    [Fact]
    public void Unknown_short_apartment_is_refused_without_counting_a_wrong_code()
    {
        using var f = Fixture();

        Type(f, "99#");

        Assert.Empty(f.Calls.Dialled);
        Assert.Equal(StationTone.Rejected, f.Calls.LastTone);
        Assert.DoesNotContain(f.Log, e => e.Kind == StationEventKind.CodeRejected);
    }

    [Fact]
    public void Four_digits_and_the_call_key_count_as_a_wrong_code()
    {
        using var f = Fixture(c => c.CodeLock.MaxFailures = 2);

        // Otherwise the call key would let anyone try every 4-digit code without ever being locked out.
        Type(f, "1111#");
        Type(f, "2222#");
        Type(f, "2580");

        Assert.Equal(2, f.Log.Count(e => e.Kind == StationEventKind.CodeRejected));
        Assert.False(f.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public void Keypad_lockout_ends_after_the_lockout_time()
    {
        using var f = Fixture(c =>
        {
            c.CodeLock.MaxFailures = 3;
            c.CodeLock.LockoutSeconds = 30;
        });

        Type(f, "0000" + "0001" + "0002");
        Type(f, "2580");
        Assert.False(f.Board.IsRelayEnergised("door"));

        f.Seconds(30);
        Type(f, "2580");
        Assert.True(f.Board.IsRelayEnergised("door"));
    }
}
