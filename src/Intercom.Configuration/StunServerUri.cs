namespace Intercom.Configuration;

/// <summary>
/// A STUN server URI of RFC 7064 §3.1: <c>stun:HOST[:PORT]</c> (the scheme case-insensitive, the host a name, an IPv4
/// address or a bracketed IPv6 address, the port 3478 by default). <c>stuns:</c> (STUN over TLS) is not supported yet.
/// </summary>
public static class StunServerUri
{
    /// <summary>The default STUN port (RFC 8489 §9).</summary>
    public const int DefaultPort = 3478;

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, out string host, out int port, out string? error)
    {
        host = "";
        port = DefaultPort;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "must be a STUN URI such as stun:stun.example.org or stun:192.0.2.1:3478";
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon < 0 ? "" : text[..colon];
        if (scheme.Equals("stuns", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}': stuns: (STUN over TLS) is not supported yet; use stun:";
            return false;
        }

        if (!scheme.Equals("stun", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' is not a STUN URI (RFC 7064: stun:HOST[:PORT])";
            return false;
        }

        return ServerHostPort.TryParse(text, text[(colon + 1)..], out host, ref port, out error);
    }
}
