using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Intercom.Sip.Messages;

/// <summary>
/// One Via header element (RFC 3261 §20.42, §18.2.1; rport from RFC 3581): the transport and sent-by of a hop
/// and its parameters. Responses travel back along these (RFC 3261 §18.2.2).
/// </summary>
public sealed class SipVia
{
    /// <summary>The branch prefix that marks an RFC 3261 client transaction id (§8.1.1.7).</summary>
    public const string MagicCookie = "z9hG4bK";

    /// <summary>Creates a Via for a request this element sends.</summary>
    public SipVia(string transport, string host, int? port = null, string? branch = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(transport);
        ArgumentException.ThrowIfNullOrEmpty(host);
        Transport = transport.ToUpperInvariant();
        Host = host;
        Port = port;
        if (branch is not null)
        {
            Parameters.Add("branch", branch);
        }
    }

    /// <summary>protocol-name, "SIP" in practice.</summary>
    public string ProtocolName { get; set; } = "SIP";

    /// <summary>protocol-version, "2.0" in practice.</summary>
    public string ProtocolVersion { get; set; } = "2.0";

    /// <summary>Upper-case transport: UDP, TCP, TLS, SCTP, WS, WSS or an extension token.</summary>
    public string Transport { get; set; }

    /// <summary>sent-by host: name, IPv4 address or bracketed IPv6 reference.</summary>
    public string Host { get; set; }

    /// <summary>sent-by port, or null when not written (the transport's default applies, RFC 3261 §18.2.2).</summary>
    public int? Port { get; set; }

    /// <summary>via-params in order, values as written.</summary>
    public SipParameters Parameters { get; private init; } = new();

    /// <summary>The branch parameter (transaction id, RFC 3261 §17.2.3), or null.</summary>
    public string? Branch
    {
        get => Parameters.Get("branch");
        set => SetOrRemove("branch", value);
    }

    /// <summary>True when the branch starts with the RFC 3261 magic cookie z9hG4bK; older branches need RFC 2543 matching (§17.2.3).</summary>
    public bool IsRfc3261Branch => Branch is { } b && b.StartsWith(MagicCookie, StringComparison.Ordinal);

    /// <summary>The received parameter (source address a server saw, RFC 3261 §18.2.1), or null.</summary>
    public string? Received
    {
        get => Parameters.Get("received");
        set => SetOrRemove("received", value);
    }

    /// <summary>True when rport is present, with or without a value (RFC 3581 §3/§4).</summary>
    public bool HasRport => Parameters.Contains("rport");

    /// <summary>The rport value filled in by a server, or null when absent or written without a value.</summary>
    public int? Rport => Parameters.Get("rport") is { } v && SipHost.TryParsePort(v, out int p) ? p : null;

    /// <summary>Fills in rport with the source port the request came from (RFC 3581 §4), adding the parameter if absent.</summary>
    public void SetRport(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Parameters.Set("rport", port.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The maddr parameter, or null.</summary>
    public string? MAddr => Parameters.Get("maddr");

    /// <summary>The ttl parameter (0–255), or null.</summary>
    public int? Ttl => Parameters.Get("ttl") is { } v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int t) ? t : null;

    /// <summary>sent-by as written: host[:port].</summary>
    public string SentBy => Port is int p ? $"{Host}:{p.ToString(CultureInfo.InvariantCulture)}" : Host;

    private void SetOrRemove(string name, string? value)
    {
        if (value is null)
        {
            Parameters.Remove(name);
        }
        else
        {
            Parameters.Set(name, value);
        }
    }

    /// <summary>Parses one via-parm.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SipVia? via) => TryParse(text, SipLimits.Default, out via, out _);

    /// <summary>Parses one via-parm: <c>SIP / 2.0 / UDP host[:port];params</c> (LWS allowed around '/' and ':').</summary>
    public static bool TryParse(ReadOnlySpan<char> text, SipLimits limits, [NotNullWhen(true)] out SipVia? via, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        via = null;
        ReadOnlySpan<char> s = SipGrammar.TrimLws(text);
        if (!TakeToken(ref s, out ReadOnlySpan<char> name) || !TakeSlash(ref s) ||
            !TakeToken(ref s, out ReadOnlySpan<char> version) || !TakeSlash(ref s) ||
            !TakeToken(ref s, out ReadOnlySpan<char> transport))
        {
            error = "expected sent-protocol \"SIP/2.0/transport\"";
            return false;
        }

        if (s.IsEmpty || !SipGrammar.IsWhitespace(s[0]))
        {
            error = "expected whitespace after sent-protocol";
            return false;
        }

        s = SipGrammar.TrimLws(s);
        int hostEnd;
        if (!s.IsEmpty && s[0] == '[')
        {
            hostEnd = s.IndexOf(']') + 1;
            if (hostEnd == 0)
            {
                error = "unterminated IPv6 reference";
                return false;
            }
        }
        else
        {
            hostEnd = s.IndexOfAny(":; \t");
            if (hostEnd < 0)
            {
                hostEnd = s.Length;
            }
        }

        ReadOnlySpan<char> host = s[..hostEnd];
        if (!SipHost.IsValid(host))
        {
            error = $"invalid sent-by host \"{SipParameters.Excerpt(host)}\"";
            return false;
        }

        s = SipGrammar.TrimLws(s[hostEnd..]);
        int? port = null;
        if (!s.IsEmpty && s[0] == ':')
        {
            s = SipGrammar.TrimLws(s[1..]);
            int portEnd = 0;
            while (portEnd < s.Length && SipGrammar.IsDigit(s[portEnd]))
            {
                portEnd++;
            }

            if (!SipHost.TryParsePort(s[..portEnd], out int p))
            {
                error = "invalid sent-by port";
                return false;
            }

            port = p;
            s = s[portEnd..];
        }

        var result = new SipVia(TransportString(transport), host.ToString(), port)
        {
            ProtocolName = name.Equals("SIP", StringComparison.OrdinalIgnoreCase) ? "SIP" : name.ToString(),
            ProtocolVersion = version.SequenceEqual("2.0") ? "2.0" : version.ToString(),
        };
        if (!SipParameters.TryParseHeaderParameters(s, result.Parameters, limits.MaxParameterCount, out string? paramError))
        {
            error = paramError;
            return false;
        }

        if (!result.TryValidateParameters(out error))
        {
            return false;
        }

        via = result;
        return true;
    }

    private bool TryValidateParameters([NotNullWhen(false)] out string? error)
    {
        error = null;
        foreach (SipParameter p in Parameters)
        {
            if (p.Name.Equals("ttl", StringComparison.OrdinalIgnoreCase))
            {
                if (p.Value is null || p.Value.Length > 3 || !int.TryParse(p.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int ttl) || ttl > 255)
                {
                    error = "ttl must be 0-255";
                }
            }
            else if (p.Name.Equals("rport", StringComparison.OrdinalIgnoreCase))
            {
                if (p.Value is not null && !SipHost.TryParsePort(p.Value, out _))
                {
                    error = "invalid rport value";
                }
            }
            else if (p.Name.Equals("received", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 3261 §20.42: IPv4address / IPv6address; RFC 5118 §4.5: the IPv6 form is written without brackets,
                // but a bracketed one is accepted (liberal in what we accept).
                if (p.Value is null || !(SipHost.IsIPv4Address(p.Value) || SipHost.IsIPv6Address(p.Value) || (p.Value.StartsWith('[') && SipHost.IsValid(p.Value))))
                {
                    error = "received must be an IP address";
                }
            }
            else if (p.Name.Equals("maddr", StringComparison.OrdinalIgnoreCase) || p.Name.Equals("branch", StringComparison.OrdinalIgnoreCase))
            {
                if (p.Value is null || p.Value.StartsWith('"'))
                {
                    error = $"{p.Name} needs a token value";
                }
            }

            if (error is not null)
            {
                return false;
            }
        }

        return true;
    }

    private static string TransportString(ReadOnlySpan<char> t) => t switch
    {
        _ when t.Equals("UDP", StringComparison.OrdinalIgnoreCase) => "UDP",
        _ when t.Equals("TCP", StringComparison.OrdinalIgnoreCase) => "TCP",
        _ when t.Equals("TLS", StringComparison.OrdinalIgnoreCase) => "TLS",
        _ when t.Equals("SCTP", StringComparison.OrdinalIgnoreCase) => "SCTP",
        _ when t.Equals("WS", StringComparison.OrdinalIgnoreCase) => "WS",
        _ when t.Equals("WSS", StringComparison.OrdinalIgnoreCase) => "WSS",
        _ => t.ToString().ToUpperInvariant(),
    };

    private static bool TakeToken(ref ReadOnlySpan<char> s, out ReadOnlySpan<char> token)
    {
        int n = 0;
        while (n < s.Length && SipGrammar.IsTokenChar(s[n]))
        {
            n++;
        }

        token = s[..n];
        s = s[n..];
        return n > 0;
    }

    private static bool TakeSlash(ref ReadOnlySpan<char> s)
    {
        // SLASH = SWS "/" SWS
        s = SipGrammar.TrimLws(s);
        if (s.IsEmpty || s[0] != '/')
        {
            return false;
        }

        s = SipGrammar.TrimLws(s[1..]);
        return true;
    }

    /// <summary>A deep copy.</summary>
    public SipVia Clone() => new(Transport, Host, Port)
    {
        ProtocolName = ProtocolName,
        ProtocolVersion = ProtocolVersion,
        Parameters = Parameters.Clone(),
    };

    /// <summary>The via-parm as sent: <c>SIP/2.0/UDP host:port;params</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(64);
        sb.Append(ProtocolName).Append('/').Append(ProtocolVersion).Append('/').Append(Transport).Append(' ').Append(Host);
        if (Port is int p)
        {
            sb.Append(':').Append(p);
        }

        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
