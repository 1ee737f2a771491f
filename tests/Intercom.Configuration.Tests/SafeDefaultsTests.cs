using System.Text.Json.Nodes;
using Intercom.Station.Configuration;

namespace Intercom.Configuration.Tests;

/// <summary>
/// What a configuration must be before it opens anything: the shipped one opens nothing; auto-answer needs callers let in
/// by source or authenticated; example secrets are refused on a real station (and the refusal never echoes them).
/// </summary>
public sealed class SafeDefaultsTests : IDisposable
{
    private const string AutoAnswerRefused = "station.incoming.autoAnswer: would answer anyone who claims an allowlisted name: let callers in by where "
        + "they come from (an account that registers, station.incoming.sources) or make them authenticate (sip.incomingAuth)";

    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-safe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IntercomConfig AutoAnswering(Action<IntercomConfig>? change = null)
    {
        var config = TestConfigs.Minimal();
        config.Station.Incoming.Allowlist = ["sip:resident@127.0.0.1"];
        config.Station.Incoming.AutoAnswer = true;
        change?.Invoke(config);
        return config;
    }

    private static List<string> Errors(IntercomConfig config, bool runsForReal = false) =>
        [.. ConfigValidator.Validate(config, runsForReal).Select(e => e.ToString())];

    [Fact]
    public void The_shipped_configuration_opens_nothing_and_says_what_is_missing()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "intercom.example.json");
        Assert.True(ConfigLoader.TryLoad(path, out var config, out var errors, runsForReal: true), string.Join("\n", errors));

        Assert.Empty(config!.Station.Codes);
        Assert.Empty(config.Station.Keypad.LocalCodes);
        Assert.Empty(config.Station.Incoming.Allowlist);
        Assert.Empty(config.Station.Incoming.Sources);
        Assert.False(config.Station.Incoming.AutoAnswer);
        Assert.All(config.Station.RingGroups, g => Assert.Empty(g.Targets));
        Assert.Empty(config.Accounts);
        Assert.False(config.Mqtt.AcceptCommands);
        Assert.Null(config.Mqtt.Password);
        Assert.Null(config.Sip.IncomingAuth.Password);
        Assert.Equal(3, SetupStatus.Missing(config).Count);

        // No example secret left in it, not even in a comment the installer might uncomment.
        var text = File.ReadAllText(path);
        Assert.DoesNotContain("change-me", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"1234\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_answer_with_an_allowlist_needs_callers_let_in_by_source_or_authenticated()
    {
        Assert.Equal([AutoAnswerRefused], Errors(AutoAnswering()));

        Assert.Empty(Errors(AutoAnswering(c => c.Station.Incoming.Sources = ["127.0.0.0/8"])));
        Assert.Empty(Errors(AutoAnswering(c => c.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Username = "door", Password = "Front-Door-Digest-93" })));
        Assert.Empty(Errors(AutoAnswering(c => c.Accounts.Add(new SipAccountConfig { Id = "pbx", Aor = "sip:door@pbx.example", Password = "Pbx-Door-Secret-5" }))));

        // An account that does not register has no registrar to trust.
        Assert.Equal([AutoAnswerRefused],
            Errors(AutoAnswering(c => c.Accounts.Add(new SipAccountConfig { Id = "pbx", Aor = "sip:door@pbx.example", Register = false }))));

        // Without an allowlist, or with auto-answer off, nothing is answered: nothing to refuse.
        Assert.Empty(Errors(AutoAnswering(c => c.Station.Incoming.Allowlist = [])));
        Assert.Empty(Errors(AutoAnswering(c => c.Station.Incoming.AutoAnswer = false)));
    }

    [Fact]
    public void An_extension_entry_that_could_never_match_is_refused()
    {
        // Only digest authentication: nothing vouches for the caller's user name, so "101" could never match.
        var config = AutoAnswering(c =>
        {
            c.Station.Incoming.Allowlist = ["sip:resident@127.0.0.1", "101"];
            c.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Username = "door", Password = "Front-Door-Digest-93" };
        });
        Assert.Equal(
            ["station.incoming.allowlist[1]: an extension matches only callers through the registrar of an account that registers or from "
                + "station.incoming.sources, and there is neither: give the whole URI (sip:user@host)"],
            Errors(config));

        config.Station.Incoming.Sources = ["192.168.1.0/24"];
        Assert.Empty(Errors(config));
    }

    [Fact]
    public void Example_secrets_are_refused_on_a_real_station_without_being_echoed()
    {
        var config = TestConfigs.Minimal();
        config.Accounts.Add(new SipAccountConfig { Id = "pbx", Aor = "sip:door@pbx.example", Password = "change-me" });
        config.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Username = "door", Password = "Password" };
        config.Mqtt.Username = "intercom";
        config.Mqtt.Password = "CHANGE-ME";
        config.Webhooks.Endpoints.Add(new WebhookEndpointConfig { Url = "https://ha.example/api/webhook/x", Secret = "at least 16 characters" });
        config.Station.Codes = [new CodeConfig { Id = "resident", Code = "1234", Relay = "door" }, new CodeConfig { Id = "gate", Code = "0000#", Relay = "gate" }];
        config.Station.Keypad.LocalCodes = [new CodeConfig { Id = "keypad1", Code = "123456", Relay = "door" }];

        // A simulation (the README's examples, tests) may use them.
        Assert.Empty(Errors(config));

        const string Reason = "is an example value from the documentation: choose your own";
        Assert.Equal(
            [
                $"accounts[0].password: {Reason}",
                $"sip.incomingAuth.password: {Reason}",
                $"mqtt.password: {Reason}",
                $"webhooks.endpoints[0].secret: {Reason}",
                $"station.codes[0].code: {Reason}",
                $"station.codes[1].code: {Reason}",
                $"station.keypad.localCodes[0].code: {Reason}",
            ],
            Errors(config, runsForReal: true));

        config.Accounts[0].Password = "Pbx-Door-Secret-5";
        config.Sip.IncomingAuth.Password = "Front-Door-Digest-93";
        config.Mqtt.Password = "Broker-Pass-31";
        config.Webhooks.Endpoints[0].Secret = "a-webhook-secret-of-length";
        config.Station.Codes = [new CodeConfig { Id = "resident", Code = "2580", Relay = "door" }];
        config.Station.Keypad.LocalCodes = [new CodeConfig { Id = "keypad1", Code = "80417", Relay = "door" }];
        Assert.Empty(Errors(config, runsForReal: true));
    }

    [Fact]
    public void A_real_station_neither_saves_nor_starts_on_an_example_code_and_falls_back_to_its_good_copy()
    {
        var path = Path.Combine(_dir, "intercom.json");
        var store = new ConfigStore(path, runsForReal: true);
        var good = TestConfigs.Minimal();
        good.Station.Codes = [new CodeConfig { Id = "resident", Code = "2580", Relay = "door" }];
        Assert.True(store.TrySave(good, out var errors), string.Join("\n", errors));

        var example = TestConfigs.Minimal();
        example.Station.Codes = [new CodeConfig { Id = "resident", Code = "1234", Relay = "door" }];
        Assert.False(store.TrySave(example, out errors));
        Assert.Equal("station.codes[0].code", Assert.Single(errors).Path);

        // Written by hand: the station starts on the last good copy and says why.
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        node["station"]!["codes"]![0]!["code"] = "1234";
        File.WriteAllText(path, node.ToJsonString());
        Assert.True(store.TryLoad(out var loaded, out _, out var fellBackBecause));
        Assert.Equal("2580", loaded!.Station.Codes[0].Code);
        Assert.Equal("station.codes[0].code", Assert.Single(fellBackBecause!).Path);

        // A simulation takes the same file as it is.
        Assert.True(new ConfigStore(path).TryLoad(out loaded, out _, out fellBackBecause));
        Assert.Null(fellBackBecause);
        Assert.Equal("1234", loaded!.Station.Codes[0].Code);
    }

    [Fact]
    public void Sources_round_trip_through_the_file()
    {
        var config = AutoAnswering(c => c.Station.Incoming.Sources = ["192.168.1.20", "fd00::/64"]);
        var json = ConfigLoader.Serialize(config);
        Assert.Contains("\"sources\"", json, StringComparison.Ordinal);
        Assert.True(ConfigLoader.TryParse(System.Text.Encoding.UTF8.GetBytes(json), out var parsed, out var errors), string.Join("\n", errors));
        Assert.Equal(["192.168.1.20", "fd00::/64"], parsed!.Station.Incoming.Sources);
    }

    [Fact]
    public void A_configured_station_misses_nothing()
    {
        var config = TestConfigs.Minimal();
        config.Station.Codes = [new CodeConfig { Id = "resident", Code = "2580", Relay = "door" }];
        config.Accounts.Add(new SipAccountConfig { Id = "pbx", Aor = "sip:door@pbx.example", Password = "Pbx-Door-Secret-5" });
        Assert.Empty(SetupStatus.Missing(config));
    }
}
