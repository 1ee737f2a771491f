using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Intercom.Configuration;

/// <summary>
/// The <c>HOST[:PORT]</c> part that STUN (RFC 7064 §3.1) and TURN (RFC 7065 §3) URIs share: a DNS name, an IPv4
/// address or a bracketed IPv6 address, then an optional port.
/// </summary>
internal static class ServerHostPort
{
    /// <summary>
    /// Parses <paramref name="rest"/> (the URI after its scheme and before any query); <paramref name="port"/> keeps
    /// its value when the text has none. <paramref name="uri"/> is the whole URI, for the error.
    /// </summary>
    public static bool TryParse(string uri, string rest, out string host, ref int port, out string? error)
    {
        error = null;
        string? portText = null;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(rest[1..close], out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                host = "";
                error = $"'{uri}': the host in brackets is not an IPv6 address";
                return false;
            }

            host = rest[1..close];
            string after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    error = $"'{uri}': unexpected '{after}' after the host";
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
                error = host.Length == 0 ? $"'{uri}' names no host" : $"'{uri}': '{host}' is not a host name or IPv4 address (no '//', user, path or query)";
                return false;
            }
        }

        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{uri}': the port must be 1-65535";
            return false;
        }

        return true;
    }

    // RFC 3986 reg-name as DNS uses it: letters, digits, '-' and '.', labels of 1-63 characters, 253 in all.
    private static bool IsHostName(string host)
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
