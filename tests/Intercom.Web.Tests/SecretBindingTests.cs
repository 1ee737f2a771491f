using System.Text;
using Intercom.Configuration;
using Intercom.Web.Api;

namespace Intercom.Web.Tests;

/// <summary>
/// A kept secret follows its server, never another one (issue: point mqtt.host or an account's registrar elsewhere and
/// the next CONNECT or REGISTER hands the stored secret over). Reused only while the endpoint's identity is unchanged;
/// otherwise the change is refused with a field error asking for the secret again.
/// </summary>
public sealed class SecretBindingTests
{
    [Theory]
    [InlineData("registrar", "sip:attacker.example")]
    [InlineData("outboundProxy", "sip:attacker.example;lr")]
    [InlineData("aor", "sip:door@attacker.example")]
    [InlineData("transport", "tcp")]
    [InlineData("username", "someone-else")]
    public void An_account_whose_server_or_identity_changed_must_bring_its_password_again(string field, string value)
    {
        var current = Config();
        var sent = ConfigSecrets.Redacted(current);
        sent["accounts"]![0]![field] = value;

        Assert.False(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(sent.ToJsonString()), current, out var merged, out var errors));

        Assert.Null(merged);
        var error = Assert.Single(errors);
        Assert.Equal("accounts[0].password", error.Path);
        Assert.Contains($"accounts[0].{field} changed", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("sip-pass", error.Reason, StringComparison.Ordinal);

        // Typed again (or "" for none), the change goes through.
        sent["accounts"]![0]!["password"] = "typed-again";
        Assert.True(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(sent.ToJsonString()), current, out merged, out errors), string.Join("\n", errors));
        Assert.Equal("typed-again", merged!.Accounts[0].Password);
    }

    [Theory]
    [InlineData("host", "\"attacker.example\"")]
    [InlineData("port", "1884")]
    [InlineData("tls", "{\"enabled\":false,\"caFile\":null,\"verifyPeer\":true}")]
    [InlineData("tls", "{\"enabled\":true,\"caFile\":null,\"verifyPeer\":false}")]
    public void The_mqtt_password_is_not_kept_for_another_broker_or_weaker_tls(string field, string value)
    {
        var current = Config();
        var sent = ConfigSecrets.Redacted(current);
        sent["mqtt"]![field] = System.Text.Json.Nodes.JsonNode.Parse(value);

        Assert.False(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(sent.ToJsonString()), current, out _, out var errors));

        var error = Assert.Single(errors);
        Assert.Equal("mqtt.password", error.Path);
        Assert.Contains($"mqtt.{field} changed", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_that_leave_the_server_alone_keep_the_secrets()
    {
        var current = Config();
        var sent = ConfigSecrets.Redacted(current);
        sent["accounts"]![0]!["displayName"] = "Front door";
        sent["accounts"]![0]!["expiresSeconds"] = 900;
        sent["mqtt"]!["topicPrefix"] = "intercom/back";

        Assert.True(ConfigSecrets.TryMerge(Encoding.UTF8.GetBytes(sent.ToJsonString()), current, out var merged, out var errors), string.Join("\n", errors));

        Assert.Equal("sip-pass", merged!.Accounts[0].Password);
        Assert.Equal("mqtt-pass", merged.Mqtt.Password);
    }

    private static IntercomConfig Config()
    {
        var config = new IntercomConfig();
        config.Sip.Listen = [new SipListenerConfig { Address = "127.0.0.1", Port = 0 }];
        config.Accounts = [new SipAccountConfig { Id = "pbx", Aor = "sip:door@pbx.example", Username = "door", Password = "sip-pass", Registrar = "sip:pbx.example", Register = false }];
        config.Mqtt.Host = "broker.example";
        config.Mqtt.Port = 8883;
        config.Mqtt.Username = "intercom";
        config.Mqtt.Password = "mqtt-pass";
        config.Mqtt.Tls.Enabled = true;
        config.Station.EventLog.PersistPath = null;
        config.Station.RingGroups[0].Targets = ["sip:resident@127.0.0.1"];
        var errors = ConfigValidator.Validate(config);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return config;
    }
}
