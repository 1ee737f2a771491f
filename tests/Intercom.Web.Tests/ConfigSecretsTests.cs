using System.Text;
using Intercom.Configuration;
using Intercom.Web.Api;

namespace Intercom.Web.Tests;

/// <summary>Write-only secrets in sections the web layer does not know by name: MQTT credentials, webhook secrets and headers.</summary>
public sealed class ConfigSecretsTests
{
    private const string MqttPassword = "mqtt-pass-91c";
    private const string WebhookSecret = "webhook-secret-0123456789";
    private const string Bearer = "Bearer ha-long-lived-token";

    [Fact]
    public void Every_secret_is_sent_as_null()
    {
        var text = ConfigSecrets.Redacted(Config()).ToJsonString();

        Assert.DoesNotContain(MqttPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Bearer, text, StringComparison.Ordinal);
        Assert.DoesNotContain("sip-pass", text, StringComparison.Ordinal);
        Assert.Contains("https://ha.example/api/webhook/door", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_redacted_configuration_sent_back_keeps_every_secret()
    {
        var current = Config();
        var sent = ConfigSecrets.Redacted(current);
        sent["name"] = "Renamed";

        Assert.True(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(sent.ToJsonString()), current, out var merged, out var errors), string.Join("\n", errors));

        Assert.Equal("Renamed", merged!.Name);
        Assert.Equal(MqttPassword, merged.Mqtt.Password);
        Assert.Equal(WebhookSecret, merged.Webhooks.Endpoints[0].Secret);
        Assert.Equal(Bearer, merged.Webhooks.Endpoints[0].Headers["Authorization"]);
        Assert.Equal("sip-pass", merged.Accounts[0].Password);
    }

    [Fact]
    public void Secrets_follow_their_account_by_id_and_an_empty_string_removes_one()
    {
        var current = Config();
        current.Accounts.Add(new SipAccountConfig { Id = "second", Aor = "sip:b@127.0.0.1", Password = "second-pass", Register = false });
        var sent = ConfigSecrets.Redacted(current);
        var accounts = sent["accounts"]!.AsArray();
        var first = accounts[0]!;
        accounts.RemoveAt(0);
        accounts.Add(first.DeepClone());
        sent["mqtt"]!["password"] = "";
        sent["accounts"]![0]!["password"] = "typed-new";

        Assert.True(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(sent.ToJsonString()), current, out var merged, out var errors), string.Join("\n", errors));

        Assert.Equal(["second", "pbx"], merged!.Accounts.Select(a => a.Id));
        Assert.Equal("typed-new", merged.Accounts[0].Password);
        Assert.Equal("sip-pass", merged.Accounts[1].Password);
        Assert.Null(merged.Mqtt.Password);
    }

    [Fact]
    public void Keypad_codes_are_write_only_and_follow_their_id_and_a_header_named_code_stays_a_secret_header()
    {
        var current = Config();
        current.Station.Board.Keypad = new Station.Configuration.KeypadWiringConfig();
        current.Station.Keypad.LocalCodes =
        [
            new Station.Configuration.CodeConfig { Id = "cleaner", Code = "2580", Relay = "door" },
            new Station.Configuration.CodeConfig { Id = "postman", Code = "3690", Relay = "gate" },
        ];
        current.Webhooks.Endpoints[0].Headers["code"] = "header-value-1";
        var sent = ConfigSecrets.Redacted(current);
        var text = sent.ToJsonString();
        var local = sent["station"]!["keypad"]!["localCodes"]!.AsArray();
        local.RemoveAt(0);

        Assert.DoesNotContain("2580", text, StringComparison.Ordinal);
        Assert.DoesNotContain("3690", text, StringComparison.Ordinal);
        Assert.DoesNotContain("header-value-1", text, StringComparison.Ordinal);
        Assert.Null(sent["webhooks"]!["endpoints"]![0]!["headers"]!["code"]);
        Assert.Null(sent["webhooks"]!["endpoints"]![0]!["headers"]!["set"]);
        Assert.True(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(sent.ToJsonString()), current, out var merged, out var errors), string.Join("\n", errors));
        var kept = Assert.Single(merged!.Station.Keypad.LocalCodes);
        Assert.Equal(("postman", "3690"), (kept.Id, kept.Code));
        Assert.Equal("header-value-1", merged.Webhooks.Endpoints[0].Headers["code"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"name\":\"a\",\"name\":\"b\"}")]
    [InlineData("{\"accounts\":{\"id\":1}}")]
    [InlineData("{\"station\":{\"buttons\":[{\"id\":\"b\",\"pin\":\"x\"}]}}")]
    public void Malformed_input_is_refused_with_a_reason_never_an_exception(string json)
    {
        Assert.False(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(json), Config(), out var merged, out var errors));
        Assert.Null(merged);
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void The_turn_password_is_write_only_and_does_not_follow_a_changed_turn_server()
    {
        var current = Config();
        current.Accounts[0].Nat.Turn = new SipAccountTurnConfig { Servers = ["turn:turn.example.org"], Username = "door", Password = "turn-pass-77" };
        var sent = ConfigSecrets.Redacted(current);
        Assert.DoesNotContain("turn-pass-77", sent.ToJsonString(), StringComparison.Ordinal);

        // Sent back as it came: kept.
        Assert.True(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(sent.ToJsonString()), current, out var merged, out var errors), string.Join("\n", errors));
        Assert.Equal("turn-pass-77", merged!.Accounts[0].Nat.Turn.Password);

        // Another server: the stored password is not sent there.
        sent["accounts"]![0]!["nat"]!["turn"]!["servers"] = new System.Text.Json.Nodes.JsonArray("turns:elsewhere.example.net");
        Assert.False(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(sent.ToJsonString()), current, out _, out errors));
        var error = Assert.Single(errors);
        Assert.Equal("accounts[0].nat.turn.password", error.Path);
        Assert.Contains("accounts[0].nat.turn.servers changed", error.Reason, StringComparison.Ordinal);
    }

    private static IntercomConfig Config()
    {
        var config = new IntercomConfig();
        config.Sip.Listen = [new SipListenerConfig { Address = "127.0.0.1", Port = 0 }];
        config.Accounts = [new SipAccountConfig { Id = "pbx", Aor = "sip:door@127.0.0.1", Username = "door", Password = "sip-pass", Register = false }];
        config.Mqtt.Username = "intercom";
        config.Mqtt.Password = MqttPassword;
        config.Mqtt.PasswordWithoutTls = true;
        config.Webhooks.Endpoints =
        [
            new WebhookEndpointConfig
            {
                Url = "https://ha.example/api/webhook/door",
                Events = ["doorbell"],
                Secret = WebhookSecret,
                Headers = new Dictionary<string, string> { ["Authorization"] = Bearer },
            },
        ];
        config.Station.EventLog.PersistPath = null;
        config.Station.RingGroups[0].Targets = ["sip:resident@127.0.0.1"];
        var errors = ConfigValidator.Validate(config);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return config;
    }
}
