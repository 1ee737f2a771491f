using Intercom.Hardware;
using Intercom.Station.Configuration;

namespace Intercom.Station.Tests;

public sealed class ConfigValidatorTests
{
    private static List<string> Errors(Action<StationConfig> change)
    {
        var config = StationFixture.ValidConfig();
        change(config);
        return [.. StationConfigValidator.Validate(config).Select(e => e.ToString())];
    }

    [Fact]
    public void Defaults_with_a_target_are_valid()
    {
        Assert.Empty(Errors(_ => { }));
    }

    [Fact]
    public void Defaults_are_valid_and_open_nothing()
    {
        // Not set up yet: a ring group without targets, no codes, nobody allowed in, no auto-answer.
        var config = new StationConfig();
        Assert.Empty(StationConfigValidator.Validate(config));
        Assert.Empty(config.RingGroups[0].Targets);
        Assert.Empty(config.Codes);
        Assert.Empty(config.Incoming.Allowlist);
        Assert.Empty(config.Incoming.Sources);
        Assert.False(config.Incoming.AutoAnswer);
    }

    [Theory]
    [InlineData("192.168.1.20")]
    [InlineData("10.0.0.0/24")]
    [InlineData("127.0.0.0/8")]
    [InlineData("fd00::/64")]
    [InlineData("2001:db8::7")]
    [InlineData("192.168.1.20/32")]
    public void Incoming_sources_take_addresses_and_networks(string source)
    {
        Assert.Empty(Errors(c => c.Incoming.Sources = [source]));
        Assert.True(SourceNetwork.TryParse(source, out var network, out _));
        Assert.True(network.PrefixLength > 0);
    }

    [Theory]
    [InlineData("", "incoming.sources[0]: expected an IP address or a network (CIDR, e.g. 192.168.1.0/24)")]
    [InlineData(" 10.0.0.1", "incoming.sources[0]: expected an IP address or a network (CIDR, e.g. 192.168.1.0/24)")]
    [InlineData("pbx.example", "incoming.sources[0]: 'pbx.example' is not an IP address or a network (CIDR, e.g. 192.168.1.0/24)")]
    [InlineData("10", "incoming.sources[0]: '10' is not an IP address or a network (CIDR, e.g. 192.168.1.0/24)")]
    [InlineData("10.0.0.0/33", "incoming.sources[0]: '10.0.0.0/33': the prefix length must be 0-32")]
    [InlineData("10.0.0.0/", "incoming.sources[0]: '10.0.0.0/': the prefix length must be 0-32")]
    [InlineData("10.0.0.0/+8", "incoming.sources[0]: '10.0.0.0/+8': the prefix length must be 0-32")]
    [InlineData("fd00::/129", "incoming.sources[0]: 'fd00::/129': the prefix length must be 0-128")]
    [InlineData("10.0.0.1/24", "incoming.sources[0]: '10.0.0.1/24' has address bits below its /24 prefix: did you mean 10.0.0.0/24?")]
    [InlineData("0.0.0.0/0", "incoming.sources[0]: '0.0.0.0/0' trusts every address: list the networks your phones are on")]
    [InlineData("::/0", "incoming.sources[0]: '::/0' trusts every address: list the networks your phones are on")]
    [InlineData("fe80::1%eth0", "incoming.sources[0]: 'fe80::1%eth0' is not an IP address or a network (CIDR, e.g. 192.168.1.0/24)")]
    [InlineData("::ffff:10.0.0.1", "incoming.sources[0]: '::ffff:10.0.0.1': write the IPv4 address as it is (10.0.0.1)")]
    public void Incoming_sources_that_are_no_network_are_refused(string source, string expected)
    {
        Assert.Equal([expected], Errors(c => c.Incoming.Sources = [source]));
    }

    [Fact]
    public void Incoming_sources_are_bounded_and_not_repeated()
    {
        Assert.Equal(["incoming.sources[1]: is the same as incoming.sources[0]"], Errors(c => c.Incoming.Sources = ["10.0.0.0/8", "10.0.0.0/8"]));
        Assert.Equal(["incoming.sources: at most 64 entries"],
            Errors(c => c.Incoming.Sources = [.. Enumerable.Range(0, 65).Select(i => $"10.0.{i}.0/24")]));
    }

    [Fact]
    public void Pin_used_twice_names_both_fields()
    {
        var errors = Errors(c =>
        {
            c.Relays[0].Pin = 26;
            c.Board.Leds.Fault = null;
            c.Buttons.Add(new ButtonConfig { Id = "button2", Pin = 26, RingGroup = "residents" });
        });

        Assert.Equal(["buttons[1].pin: GPIO 26 is already used by relays[0]"], errors);
    }

    [Fact]
    public void Keypad_pin_clash_is_reported_on_the_keypad_entry()
    {
        var errors = Errors(c => c.Board.Keypad = new KeypadWiringConfig { Rows = [4, 12, 7, DefaultPinMap.DoorRelay] });

        Assert.Equal(["board.keypad.rows[3]: GPIO 23 is already used by relays[0]"], errors);
    }

    [Theory]
    [InlineData(28, "relays[0].pin: GPIO 28 is not on the 40-pin header (BCM 0–27)")]
    [InlineData(-1, "relays[0].pin: GPIO -1 is not on the 40-pin header (BCM 0–27)")]
    [InlineData(0, "relays[0].pin: GPIO 0 is reserved for the HAT ID EEPROM")]
    public void Pin_must_be_a_usable_header_pin(int pin, string expected)
    {
        Assert.Equal([expected], Errors(c => c.Relays[0].Pin = pin));
    }

    [Fact]
    public void Ids_must_be_unique_and_references_must_resolve()
    {
        var errors = Errors(c =>
        {
            c.Relays[1].Id = "door";
            c.Buttons[0].RingGroup = "nobody";
            c.Codes[0].Relay = "garage";
            c.DoorRelay = "front";
        });

        Assert.Contains("relays[1].id: \"door\" is already the id of relays[0]", errors);
        Assert.Contains("buttons[0].ringGroup: no ring group has the id \"nobody\"", errors);
        Assert.Contains("codes[0].relay: no relay has the id \"garage\"", errors);
        Assert.Contains("doorRelay: no relay has the id \"front\"", errors);
    }

    [Theory]
    [InlineData(0, 3600, "codeLock.maxLockoutSeconds: must be 1–86400")]
    [InlineData(86401, 3600, "codeLock.maxLockoutSeconds: must be 1–86400")]
    [InlineData(3600, 59, "codeLock.forgetAfterSeconds: must be 60–604800 (a week)")]
    [InlineData(3600, 604801, "codeLock.forgetAfterSeconds: must be 60–604800 (a week)")]
    public void Lockout_doubling_and_forgetting_are_bounded(int maxLockoutSeconds, int forgetAfterSeconds, string expected)
    {
        var errors = Errors(c => (c.CodeLock.MaxLockoutSeconds, c.CodeLock.ForgetAfterSeconds) = (maxLockoutSeconds, forgetAfterSeconds));

        Assert.Equal([expected], errors);
    }

    [Theory]
    [InlineData("123", "codes[0].code: must be 4–16 characters")]
    [InlineData("12a4", "codes[0].code: may only contain 0-9 * # A-D")]
    [InlineData("12#4", "codes[0].code: '#' may only be the last character (it ends an attempt)")]
    [InlineData("9999", "codes[2].code: is the same as codes[0].code")]
    public void Codes_are_checked_without_revealing_them(string code, string expected)
    {
        var errors = Errors(c => c.Codes[0].Code = code);

        Assert.Equal([expected], errors);
        Assert.All(errors, e => Assert.DoesNotContain(code, e, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gate", null)]
    [InlineData("resident", "codes[1].id: \"resident\" is already the id of codes[0]")]
    [InlineData("gate *12#", "codes[1].id: must not contain the code: ids are shown on the page and in the event log")]
    public void Code_ids_are_unique_and_never_show_the_code(string id, string? expected)
    {
        var errors = Errors(c => c.Codes[1].Id = id);

        Assert.Equal(expected is null ? [] : [expected], errors);
    }

    [Fact]
    public void A_code_that_begins_another_is_refused()
    {
        var errors = Errors(c => c.Codes.Add(new CodeConfig { Code = "12345", Relay = "door" }));

        Assert.Equal(["codes[3].code: one of this and codes[0].code begins with the other, so the longer can never be entered"], errors);
    }

    [Fact]
    public void Pulse_must_not_exceed_the_maximum()
    {
        Assert.Equal(["relays[0].maxMs: must be at least pulseMs (3000)"], Errors(c => c.Relays[0].MaxMs = 2000));
        Assert.Equal(["relays[0].pulseMs: must be positive"], Errors(c => c.Relays[0].PulseMs = 0));
    }

    [Theory]
    [InlineData("mon-fry", "08:00", "18:00", "schedules[0].days: expected day names or ranges like \"mon-fri\", \"sat,sun\" or \"daily\"")]
    [InlineData("mon-fri", "8:00", "18:00", "schedules[0].from: expected a time \"HH:mm\" (00:00–23:59)")]
    [InlineData("sat,sun", "08:00", "24:00", "schedules[0].to: expected a time \"HH:mm\" (00:00–23:59)")]
    public void Schedules_are_parsed(string days, string from, string to, string expected)
    {
        var errors = Errors(c => c.Schedules = [new ScheduleConfig { Id = "s", Days = days, From = from, To = to }]);

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void Button_pull_must_hold_it_inactive()
    {
        var errors = Errors(c => c.Buttons[0].Pull = PinPull.Down);

        Assert.Equal(["buttons[0].pull: an active-low button needs a pull-up (or none with an external resistor)"], errors);
    }

    [Fact]
    public void Keypad_keys_and_dial_map_are_checked()
    {
        var errors = Errors(c =>
        {
            c.Board.Keypad = new KeypadWiringConfig { Keys = "123456789*0" };
            c.Keypad.LocalCodes = [new CodeConfig { Code = "4711", Relay = "door" }];
            c.Keypad.DialMap =
            [
                new DialEntryConfig { Apartment = "47112", Target = "residents" },
                new DialEntryConfig { Apartment = "1a", Target = "residents" },
                new DialEntryConfig { Apartment = "5", Target = "" },
            ];
        });

        Assert.Equal(
            [
                "board.keypad.keys: must have one character per key (12)",
                "keypad.callKey: must be one key of the keypad",
                "keypad.dialMap[0].apartment: begins with a local code, so typing it would open the door instead",
                "keypad.dialMap[1].apartment: must be 1–8 digits",
                "keypad.dialMap[2].target: expected a ring group id, a SIP URI or an extension",
            ],
            errors);
    }

    [Fact]
    public void Allowlist_entries_and_targets_must_be_plausible()
    {
        var errors = Errors(c =>
        {
            c.Incoming.Allowlist = ["sip:", "10 1"];
            c.RingGroups[0].Targets.Add("http://x");
        });

        Assert.Equal(
            [
                "ringGroups[0].targets[2]: expected a SIP URI (sip:user@host) or an extension",
                "incoming.allowlist[0]: expected a SIP URI (sip:user@host) or an extension",
                "incoming.allowlist[1]: expected a SIP URI (sip:user@host) or an extension",
            ],
            errors);
    }

    [Fact]
    public void Board_layout_follows_the_configuration()
    {
        var config = StationFixture.ValidConfig();
        config.Relays[0].ActiveLow = true;
        config.Board.Keypad = new KeypadWiringConfig();

        var layout = BoardLayoutBuilder.Build(config);

        Assert.Equal(new RelayLayout("door", 23, true, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)), layout.Relays[0]);
        Assert.Contains(layout.Inputs, i => i is { Kind: InputKind.CallButton, Id: "button1", Pin: 17, ActiveLow: true, Pull: PinPull.Up });
        Assert.Contains(layout.Inputs, i => i is { Kind: InputKind.DoorContact, Pin: 22, ActiveLow: false });
        Assert.Equal(5, layout.Leds.Count);
        Assert.Equal([4, 12, 7, 8], layout.Keypad!.Rows);
        Assert.Equal(TimeSpan.FromSeconds(60), layout.DoorHeldOpenLimit);
    }
}
