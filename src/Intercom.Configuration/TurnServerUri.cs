namespace Intercom.Configuration;

/// <summary>
/// A TURN server URI of RFC 7065 §3: <c>turn:HOST[:PORT][?transport=udp|tcp]</c> or <c>turns:HOST[:PORT][?transport=tcp]</c>
/// (the scheme and the transport value case-insensitive; the host a name, an IPv4 address or a bracketed IPv6 address;
/// the port 3478 for turn:, 5349 for turns:). turn: without a transport is UDP; turns: is TLS over TCP (turns: with
/// transport=udp would be DTLS, which is not supported).
/// </summary>
public static class TurnServerUri
{
    /// <summary>The default port of turn: (RFC 7065 §3).</summary>
    public const int DefaultPort = 3478;

    /// <summary>The default port of turns: (RFC 7065 §3).</summary>
    public const int DefaultSecurePort = 5349;

    /// <summary>Parses <paramref name="text"/>; <paramref name="transport"/> is "udp", "tcp" or "tls". On failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, out string host, out int port, out string transport, out string? error)
    {
        host = "";
        port = DefaultPort;
        transport = "udp";
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "must be a TURN URI such as turn:turn.example.org or turns:turn.example.org:5349";
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon < 0 ? "" : text[..colon];
        bool secure = scheme.Equals("turns", StringComparison.OrdinalIgnoreCase);
        if (!secure && !scheme.Equals("turn", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' is not a TURN URI (RFC 7065: turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT])";
            return false;
        }

        string rest = text[(colon + 1)..];
        string? query = null;
        int question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            query = rest[(question + 1)..];
            rest = rest[..question];
        }

        if (secure)
        {
            port = DefaultSecurePort;
            transport = "tls";
        }

        if (query is not null)
        {
            const string Key = "transport=";
            string value = query.StartsWith(Key, StringComparison.OrdinalIgnoreCase) ? query[Key.Length..].ToLowerInvariant() : "";
            if (value is not ("udp" or "tcp"))
            {
                error = $"'{text}': the only parameter is transport=udp or transport=tcp";
                return false;
            }

            if (secure && value == "udp")
            {
                error = $"'{text}': turns: with transport=udp is DTLS, which is not supported; use turns: (TLS over TCP) or turn:";
                return false;
            }

            if (!secure)
            {
                transport = value;
            }
        }

        return ServerHostPort.TryParse(text, rest, out host, ref port, out error);
    }
}
