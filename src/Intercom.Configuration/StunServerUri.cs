using System.Globalization;
using System.Net;
using System.Net.Sockets;

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

        string rest = text[(colon + 1)..];
        string? portText = null;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(rest[1..close], out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{text}': the host in brackets is not an IPv6 address";
                return false;
            }

            host = rest[1..close];
            string after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    error = $"'{text}': unexpected '{after}' after the host";
                    return false;
                }

                portText = after[1..];
            }
        }
        else
        {
            int portColon = rest.IndexOf(':', StringComparison.Ordinal);
            host = portColon < 0 ? rest : rest[..portColon];
            portText = portColon < 0 ? null : rest[(portColon + 1)..];
            if (!IsHostName(host))
            {
                error = host.Length == 0 ? $"'{text}' names no host" : $"'{text}': '{host}' is not a host name or IPv4 address (no '//', user, path or query)";
                return false;
            }
        }

        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{text}': the port must be 1-65535";
            return false;
        }

        return true;
    }

    // RFC 3986 reg-name as DNS uses it: letters, digits, '-' and '.', labels of 1-63 characters, 253 in all.
    internal static bool IsHostName(string host)
    {
        if (host.Length is 0 or > 253 || host.StartsWith('.') || host.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        int label = 0;
        foreach (char c in host)
        {
            if (c == '.')
            {
                label = 0;
                continue;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c == '-') || ++label > 63)
            {
                return false;
            }
        }

        return true;
    }
}
