using Intercom.Configuration;

namespace Intercom.Integrations.Tests;

/// <summary>The "mqtt" and "webhooks" sections: each refusal names the field and the reason; secrets never appear.</summary>
public sealed class IntegrationsConfigTests
{
    [Fact]
    public void Defaults_are_valid_and_off()
    {
        var config = Valid();
        Assert.False(config.Mqtt.Enabled);
        Assert.Empty(config.Webhooks.Endpoints);
        Assert.Empty(ConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData("mqtt.host", "must name the broker when mqtt is enabled")]
    public void Enabled_mqtt_needs_a_host(string field, string reason)
    {
        var config = Valid();
        config.Mqtt = new MqttConfig { Enabled = true };
        Assert.Contains(ConfigValidator.Validate(config), e => e.Path == field && e.Reason == reason);
    }

    [Theory]
    [InlineData("intercom/#", "'intercom/#' contains a wildcard (+ or #)")]
    [InlineData("intercom/+/x", "'intercom/+/x' contains a wildcard (+ or #)")]
    [InlineData("$SYS/intercom", "'$SYS/intercom' starts with $, which brokers reserve for their own topics")]
    [InlineData("/intercom", "'/intercom' has an empty topic level (a leading, trailing or double /)")]
    [InlineData("intercom/", "'intercom/' has an empty topic level (a leading, trailing or double /)")]
    [InlineData("a//b", "'a//b' has an empty topic level (a leading, trailing or double /)")]
    [InlineData("", "must not be empty")]
    public void Topic_prefix_must_be_a_plain_topic(string prefix, string reason)
    {
        var config = Valid();
        config.Mqtt = new MqttConfig { Enabled = true, Host = "broker", TopicPrefix = prefix };
        var error = Assert.Single(ConfigValidator.Validate(config));
        Assert.Equal(("mqtt.topicPrefix", reason), (error.Path, error.Reason));
    }

    [Fact]
    public void Mqtt_ranges_credentials_and_tls_are_checked()
    {
        var config = Valid();
        config.Mqtt = new MqttConfig
        {
            Enabled = true,
            Host = "broker",
            Port = 70000,
            Password = "hunter2-secret",
            KeepAliveSeconds = 0,
            ReconnectMinSeconds = 30,
            ReconnectMaxSeconds = 10,
            QueueCapacity = 1,
            DiscoveryPrefix = "ha/#",
            Tls = new MqttTlsConfig { CaFile = "/etc/ca.pem", CertificateFile = "/etc/client.pem" },
        };

        var errors = ConfigValidator.Validate(config);

        Assert.Equal(
            ["mqtt.port", "mqtt.username", "mqtt.password", "mqtt.discoveryPrefix", "mqtt.keepAliveSeconds", "mqtt.reconnectMaxSeconds", "mqtt.queueCapacity",
             "mqtt.tls.enabled", "mqtt.tls.privateKeyFile"],
            errors.Select(e => e.Path));
        Assert.DoesNotContain(errors, e => e.Reason.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_broker_password_is_never_sent_without_tls_unless_the_file_says_so()
    {
        var config = Valid();
        config.Mqtt = new MqttConfig { Enabled = true, Host = "broker.lan", Username = "door", Password = "hunter2-secret" };

        var error = Assert.Single(ConfigValidator.Validate(config));
        Assert.Equal("mqtt.password", error.Path);
        Assert.DoesNotContain("hunter2", error.Reason, StringComparison.Ordinal);

        config.Mqtt.Tls = new MqttTlsConfig { Enabled = true };
        Assert.Empty(ConfigValidator.Validate(config));

        config.Mqtt.Tls = new MqttTlsConfig();
        config.Mqtt.PasswordWithoutTls = true;
        Assert.Empty(ConfigValidator.Validate(config));
    }

    [Fact]
    public void Webhook_fields_are_checked_without_repeating_the_url_or_secrets()
    {
        var config = Valid();
        config.Webhooks = new WebhooksConfig
        {
            Endpoints =
            [
                new WebhookEndpointConfig
                {
                    Url = "ftp://example.org/hook-secret-id",
                    Events = ["doorbell", "fire_alarm"],
                    Secret = "short",
                    Headers = new() { ["X-Intercom-Signature"] = "x", ["Bad Name"] = "y", ["Authorization"] = "Bearer t\r\nX: injected" },
                    TimeoutSeconds = 0,
                    MaxAttempts = 11,
                    RetryDelaySeconds = 0,
                },
                new WebhookEndpointConfig { Url = "https://user:pass@example.org/hook" },
            ],
        };

        var errors = ConfigValidator.Validate(config);

        Assert.Equal(
            [
                "webhooks.endpoints[0].url: must be an absolute http: or https: URL",
                "webhooks.endpoints[0].events[1]: 'fire_alarm' is not one of " + string.Join(", ", IntegrationEventNames.All),
                "webhooks.endpoints[0].secret: must be at least 16 characters",
                "webhooks.endpoints[0].headers: 'X-Intercom-Signature' is set by the station itself",
                "webhooks.endpoints[0].headers: 'Bad Name' is not a header name (RFC 9110 §5.1 token)",
                "webhooks.endpoints[0].headers: the value of 'Authorization' contains a line break",
                "webhooks.endpoints[0].timeoutSeconds: 0 is outside 1-60",
                "webhooks.endpoints[0].maxAttempts: 11 is outside 1-10",
                "webhooks.endpoints[0].retryDelaySeconds: 0 is outside 1-600",
                "webhooks.endpoints[1].url: must not carry credentials; use headers (Authorization) instead",
            ],
            errors.Select(e => e.ToString()));
        Assert.DoesNotContain(errors, e => e.Reason.Contains("hook-secret-id", StringComparison.Ordinal)
            || e.Reason.Contains("short", StringComparison.Ordinal) || e.Reason.Contains("pass", StringComparison.Ordinal));
    }

    [Fact]
    public void The_sections_read_from_json_with_their_documented_names()
    {
        // The CA file is read when the file validates, so it is a real one.
        var certificates = TestCertificates.Create(Path.Combine(Path.GetTempPath(), "intercom-mqtt-ca-" + Guid.NewGuid().ToString("N")[..8]));
        var json = System.Text.Encoding.UTF8.GetBytes($$"""
        {
          "station": { "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@192.0.2.10" ] } ] },
          "mqtt": { "enabled": true, "host": "broker.lan", "username": "door", "password": "pw", "topicPrefix": "home/door",
                    "acceptCommands": true, "tls": { "enabled": true, "caFile": "{{certificates.CaFile}}" } },
          "webhooks": { "endpoints": [ { "url": "https://ha.lan/api/webhook/abc", "events": [ "doorbell" ],
                                         "secret": "0123456789abcdef0123", "headers": { "Authorization": "Bearer x" } } ] }
        }
        """);

        Assert.True(ConfigLoader.TryParse(json, out var config, out var errors), string.Join("\n", errors));
        Assert.Equal("home/door", config!.Mqtt.TopicPrefix);
        Assert.True(config.Mqtt.Tls.Enabled);
        Assert.Equal(certificates.CaFile, config.Mqtt.Tls.CaFile);
        Assert.Equal("Bearer x", config.Webhooks.Endpoints[0].Headers["Authorization"]);
    }

    [Fact]
    public void An_empty_or_missing_CA_file_is_refused_at_validation_with_its_field_not_at_connect()
    {
        var empty = Path.GetTempFileName();
        try
        {
            var config = Valid();
            config.Mqtt = new MqttConfig { Enabled = true, Host = "broker.lan", Tls = new MqttTlsConfig { Enabled = true, CaFile = empty } };
            var error = Assert.Single(ConfigValidator.Validate(config));
            Assert.Equal($"mqtt.tls.caFile: {empty} contains no certificate", error.ToString());

            config.Mqtt.Tls.CaFile = empty + ".missing";
            error = Assert.Single(ConfigValidator.Validate(config));
            Assert.Equal($"mqtt.tls.caFile: {empty}.missing does not exist", error.ToString());
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public void Event_names_are_what_the_feed_raises()
    {
        Assert.Equal(
            ["doorbell", "call_started", "call_answered", "call_ended", "door_opened", "relay_held", "relay_released", "code_accepted", "code_refused",
                "lockout", "lockout_ended", "door_contact_opened", "door_contact_closed", "door_held_open", "door_forced_open", "exit_button", "tamper",
                "registration"],
            IntegrationEventNames.All);
    }

    private static IntercomConfig Valid()
    {
        var config = new IntercomConfig();
        config.Station.RingGroups[0].Targets = ["sip:resident@192.0.2.10"];
        return config;
    }
}
