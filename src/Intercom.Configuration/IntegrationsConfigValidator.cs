using System.Globalization;
using Intercom.Station.Configuration;

namespace Intercom.Configuration;

/// <summary>Checks the "mqtt" and "webhooks" sections; each error names the field and the reason.</summary>
internal static class IntegrationsConfigValidator
{
    /// <summary>Headers the station sets itself; a configured one must not replace them.</summary>
    private static readonly string[] ReservedHeaders =
        ["Host", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "X-Intercom-Event", "X-Intercom-Timestamp", "X-Intercom-Signature"];

    /// <summary>Shortest webhook secret accepted: HMAC-SHA256 with a short key is guessable offline from one signed body.</summary>
    public const int MinSecretLength = 16;

    public static void Validate(IntercomConfig config, List<ConfigError> errors)
    {
        ValidateMqtt(config.Mqtt, errors);
        ValidateWebhooks(config.Webhooks, errors);
        if (config.Mqtt.Enabled)
        {
            DistinctTopicLevels(config.Station.Relays.Select(r => r.Id).ToList(), "station.relays", "a command for one opens the other", errors);
            DistinctTopicLevels(config.Accounts.Select(a => a.Id).ToList(), "accounts", "their registration states would share one topic", errors);
        }
    }

    /// <summary>
    /// Each relay and account has topics named after its id as one level (<see cref="MqttTopicLevel"/>): "door 1" and
    /// "door_1" would share PREFIX/relay/door_1/set, and Home Assistant's switch for one would open the other.
    /// </summary>
    private static void DistinctTopicLevels(List<string> ids, string list, string consequence, List<ConfigError> errors)
    {
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            var level = MqttTopicLevel.Of(ids[i] ?? "");
            if (!levels.TryAdd(level, i) && ids[levels[level]] != ids[i])
            {
                errors.Add(new($"{list}[{i}].id", $"'{ids[i]}' has the MQTT topic level '{level}' of {list}[{levels[level]}] ('{ids[levels[level]]}'): {consequence}"));
            }
        }
    }

    private static void ValidateMqtt(MqttConfig mqtt, List<ConfigError> errors)
    {
        if (mqtt.Enabled && string.IsNullOrWhiteSpace(mqtt.Host))
        {
            errors.Add(new("mqtt.host", "must name the broker when mqtt is enabled"));
        }
        else if (mqtt.Host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '/'))
        {
            errors.Add(new("mqtt.host", $"'{mqtt.Host}' is not a host name or address"));
        }

        Range(mqtt.Port, 0, 65535, "mqtt.port", errors);
        if (mqtt.ClientId is { } clientId && (clientId.Length > 128 || clientId.Any(char.IsControl)))
        {
            errors.Add(new("mqtt.clientId", "must be at most 128 printable characters"));
        }

        if (mqtt.Password is not null && string.IsNullOrEmpty(mqtt.Username))
        {
            // MQTT 3.1.1 §3.1.2.9: a password without a user name is a protocol violation.
            errors.Add(new("mqtt.username", "a password needs a user name"));
        }

        if (mqtt.Enabled && !string.IsNullOrEmpty(mqtt.Password) && !mqtt.Tls.Enabled && !mqtt.PasswordWithoutTls)
        {
            // The CONNECT packet carries the password in clear (MQTT 3.1.1 §3.1.3.5): never without TLS by default.
            errors.Add(new("mqtt.password", "would cross the network in clear: turn on mqtt.tls, or set mqtt.passwordWithoutTls to true to accept that"));
        }

        TopicPrefix(mqtt.TopicPrefix, "mqtt.topicPrefix", errors);
        if (mqtt.HomeAssistantDiscovery)
        {
            TopicPrefix(mqtt.DiscoveryPrefix, "mqtt.discoveryPrefix", errors);
        }

        // MQTT 3.1.1 §3.1.2.10: the keep-alive is a 16-bit number of seconds; 0 would switch off the broker's
        // detection of a dead station, and with it the last will.
        Range(mqtt.KeepAliveSeconds, 5, 3600, "mqtt.keepAliveSeconds", errors);
        Range(mqtt.ReconnectMinSeconds, 1, 300, "mqtt.reconnectMinSeconds", errors);
        Range(mqtt.ReconnectMaxSeconds, 1, 3600, "mqtt.reconnectMaxSeconds", errors);
        if (mqtt.ReconnectMaxSeconds < mqtt.ReconnectMinSeconds)
        {
            errors.Add(new("mqtt.reconnectMaxSeconds", $"must not be smaller than reconnectMinSeconds ({mqtt.ReconnectMinSeconds})"));
        }

        Range(mqtt.QueueCapacity, 16, 10_000, "mqtt.queueCapacity", errors);
        var tls = mqtt.Tls;
        if (!tls.Enabled && (tls.CaFile is not null || tls.CertificateFile is not null))
        {
            errors.Add(new("mqtt.tls.enabled", "a CA or client certificate is configured but TLS is off"));
        }

        // The bridge loads the CA file when it connects with TLS; a file it could not use is refused now, not at connect.
        if (mqtt.Enabled && tls.Enabled && tls.CaFile is { } ca && !CertificateAuthorityFile.TryLoad(ca, out _, out var caError))
        {
            errors.Add(new("mqtt.tls.caFile", caError));
        }

        if (tls.CertificateFile is not null && string.IsNullOrEmpty(tls.PrivateKeyFile))
        {
            errors.Add(new("mqtt.tls.privateKeyFile", "a client certificate needs its private key"));
        }

        if (tls.PrivateKeyFile is not null && string.IsNullOrEmpty(tls.CertificateFile))
        {
            errors.Add(new("mqtt.tls.certificateFile", "a private key needs its certificate"));
        }
    }

    /// <summary>MQTT 3.1.1 §4.7: topic names carry no wildcards; "$" starts the broker's own topics; no empty levels.</summary>
    private static void TopicPrefix(string prefix, string field, List<ConfigError> errors)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            errors.Add(new(field, "must not be empty"));
        }
        else if (prefix.Length > 200)
        {
            errors.Add(new(field, "must be at most 200 characters"));
        }
        else if (prefix.Contains('+', StringComparison.Ordinal) || prefix.Contains('#', StringComparison.Ordinal))
        {
            errors.Add(new(field, $"'{prefix}' contains a wildcard (+ or #)"));
        }
        else if (prefix[0] == '$')
        {
            errors.Add(new(field, $"'{prefix}' starts with $, which brokers reserve for their own topics"));
        }
        else if (prefix[0] == '/' || prefix[^1] == '/' || prefix.Contains("//", StringComparison.Ordinal))
        {
            errors.Add(new(field, $"'{prefix}' has an empty topic level (a leading, trailing or double /)"));
        }
        else if (prefix.Any(char.IsControl))
        {
            errors.Add(new(field, "contains a control character"));
        }
    }

    private static void ValidateWebhooks(WebhooksConfig webhooks, List<ConfigError> errors)
    {
        for (var i = 0; i < webhooks.Endpoints.Count; i++)
        {
            var endpoint = webhooks.Endpoints[i];
            var field = $"webhooks.endpoints[{i}]";
            if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                || string.IsNullOrEmpty(url.Host))
            {
                // The URL may carry a secret (a webhook id): name the problem, not the value.
                errors.Add(new($"{field}.url", "must be an absolute http: or https: URL"));
            }
            else if (!string.IsNullOrEmpty(url.UserInfo))
            {
                errors.Add(new($"{field}.url", "must not carry credentials; use headers (Authorization) instead"));
            }

            for (var e = 0; e < endpoint.Events.Count; e++)
            {
                if (!IntegrationEventNames.All.Contains(endpoint.Events[e]))
                {
                    errors.Add(new($"{field}.events[{e}]", $"'{endpoint.Events[e]}' is not one of {string.Join(", ", IntegrationEventNames.All)}"));
                }
            }

            if (endpoint.Secret is { } secret && secret.Length < MinSecretLength)
            {
                errors.Add(new($"{field}.secret", $"must be at least {MinSecretLength} characters"));
            }

            foreach (var (name, value) in endpoint.Headers)
            {
                if (!IsToken(name))
                {
                    errors.Add(new($"{field}.headers", $"'{name}' is not a header name (RFC 9110 §5.1 token)"));
                }
                else if (ReservedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    errors.Add(new($"{field}.headers", $"'{name}' is set by the station itself"));
                }
                else if (value.Any(c => c is '\r' or '\n' or '\0'))
                {
                    // Name the header, never its value: it is usually a token.
                    errors.Add(new($"{field}.headers", $"the value of '{name}' contains a line break"));
                }
            }

            Range(endpoint.TimeoutSeconds, 1, 60, $"{field}.timeoutSeconds", errors);
            Range(endpoint.MaxAttempts, 1, 10, $"{field}.maxAttempts", errors);
            Range(endpoint.RetryDelaySeconds, 1, 600, $"{field}.retryDelaySeconds", errors);
        }
    }

    // RFC 9110 §5.6.2: token = 1*tchar.
    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));

    private static void Range(int value, int min, int max, string field, List<ConfigError> errors)
    {
        if (value < min || value > max)
        {
            errors.Add(new(field, string.Create(CultureInfo.InvariantCulture, $"{value} is outside {min}-{max}")));
        }
    }
}
