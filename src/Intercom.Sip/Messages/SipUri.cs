using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;

namespace Intercom.Sip.Messages;

/// <summary>
/// A SIP or SIPS URI (RFC 3261 §19.1), a tel URI (RFC 3966) or any other absolute URI (kept opaque, so that a
/// request with an unknown scheme can still be parsed and answered with 416, RFC 3261 §8.2.2.1).
/// User, password, parameter and header values are held unescaped; <see cref="ToString"/> escapes them again.
/// </summary>
public sealed class SipUri : IEquatable<SipUri>
{
    /// <summary>
    /// Creates a URI. For sip/sips the host must be a host name, IPv4 address or IPv6 address (a bare IPv6 address
    /// is put in brackets) and the port 0–65535: what this element sends must be well-formed.
    /// </summary>
    public SipUri(string scheme, string? user, string host, int? port = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(host);
        Scheme = scheme.ToLowerInvariant();
        if (IsSip)
        {
            if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') && SipHost.IsIPv6Address(host))
            {
                host = $"[{host}]";
            }

            if (!SipHost.IsValid(host))
            {
                throw new ArgumentException($"\"{host}\" is not a valid host (RFC 3261 §25.1).", nameof(host));
            }

            if (port is < 0 or > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(port), port, "A port is 0-65535.");
            }
        }

        User = user;
        Host = host;
        Port = port;
    }

    private SipUri(string scheme)
    {
        Scheme = scheme;
        Host = string.Empty;
    }

    /// <summary>Lower-case scheme: "sip", "sips", "tel" or another absolute-URI scheme.</summary>
    public string Scheme { get; }

    /// <summary>The user part (unescaped), or the telephone number of a tel URI; null when absent.</summary>
    public string? User { get; set; }

    /// <summary>The password part (unescaped; RFC 3261 §19.1.1 says not to use it); null when absent.</summary>
    public string? Password { get; set; }

    /// <summary>Host name, IPv4 address or IPv6 reference with its brackets ("[2001:db8::1]"); empty for tel and opaque URIs.</summary>
    public string Host { get; set; }

    /// <summary>Port when written; null means "not given" (which is not the same as 5060, RFC 3261 §19.1.4).</summary>
    public int? Port { get; set; }

    /// <summary>uri-parameters (transport, user, method, ttl, maddr, lr, others), values unescaped.</summary>
    public SipParameters Parameters { get; private init; } = new();

    /// <summary>URI headers after '?' (hname=hvalue), values unescaped.</summary>
    public SipParameters Headers { get; private init; } = new();

    /// <summary>For schemes other than sip/sips/tel: everything after "scheme:", as written.</summary>
    public string? Opaque { get; private set; }

    /// <summary>True for sip: and sips: URIs.</summary>
    public bool IsSip => Scheme is "sip" or "sips";

    /// <summary>True for sips: URIs (RFC 3261 §19.1: TLS on every hop).</summary>
    public bool IsSecure => Scheme == "sips";

    /// <summary>True when the host is an IPv6 reference.</summary>
    public bool IsIPv6Reference => Host.StartsWith('[');

    /// <summary>The transport parameter, when present.</summary>
    public string? Transport => Parameters.Get("transport");

    /// <summary>The maddr parameter, when present.</summary>
    public string? MAddr => Parameters.Get("maddr");

    /// <summary>True when the URI carries the lr parameter (a loose router, RFC 3261 §16.12).</summary>
    public bool IsLooseRouter => Parameters.Contains("lr");

    /// <summary>Parses a URI; returns false (never throws) on malformed input.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SipUri? uri) => TryParse(text, SipLimits.Default, out uri, out _);

    /// <summary>Parses a URI; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, SipLimits limits, [NotNullWhen(true)] out SipUri? uri, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        uri = null;
        if (text.IsEmpty)
        {
            error = "empty URI";
            return false;
        }

        if (text.Length > limits.MaxUriLength)
        {
            error = $"URI longer than {limits.MaxUriLength} characters";
            return false;
        }

        int colon = text.IndexOf(':');
        if (colon <= 0 || !IsScheme(text[..colon]))
        {
            error = $"no URI scheme in \"{SipParameters.Excerpt(text)}\"";
            return false;
        }

        string scheme = SchemeString(text[..colon]);
        ReadOnlySpan<char> rest = text[(colon + 1)..];
        var result = new SipUri(scheme);
        bool ok = scheme switch
        {
            "sip" or "sips" => result.TryParseSip(rest, limits, out error),
            "tel" => result.TryParseTel(rest, limits, out error),
            _ => result.TryParseOpaque(rest, out error),
        };
        if (ok)
        {
            uri = result;
        }

        return ok;
    }

    /// <summary>Parses a URI or throws <see cref="FormatException"/>; for literals in code, not for network input.</summary>
    public static SipUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, SipLimits.Default, out SipUri? uri, out string? error) ? uri : throw new FormatException(error);
    }

    private static bool IsScheme(ReadOnlySpan<char> s)
    {
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        if (s.IsEmpty || !char.IsAsciiLetter(s[0]))
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!SipGrammar.IsAlphaNum(c) && c is not '+' and not '-' and not '.')
            {
                return false;
            }
        }

        return true;
    }

    private static string SchemeString(ReadOnlySpan<char> s)
    {
        if (s.Equals("sip", StringComparison.OrdinalIgnoreCase))
        {
            return "sip";
        }

        if (s.Equals("sips", StringComparison.OrdinalIgnoreCase))
        {
            return "sips";
        }

        return s.Equals("tel", StringComparison.OrdinalIgnoreCase) ? "tel" : s.ToString().ToLowerInvariant();
    }

    private bool TryParseSip(ReadOnlySpan<char> s, SipLimits limits, [NotNullWhen(false)] out string? error)
    {
        // userinfo may hold ';', '?' and '/' (user-unreserved) but never an unescaped '@', so the first '@' ends it.
        int at = s.IndexOf('@');
        if (at >= 0)
        {
            ReadOnlySpan<char> userinfo = s[..at];
            int colon = userinfo.IndexOf(':');
            ReadOnlySpan<char> user = colon < 0 ? userinfo : userinfo[..colon];
            if (user.IsEmpty)
            {
                error = "empty user part";
                return false;
            }

            if (!SipGrammar.TryUnescape(user, SipGrammar.UriComponent.User, out string u))
            {
                error = $"invalid character or escape in user part \"{SipParameters.Excerpt(user)}\"";
                return false;
            }

            User = u;
            if (colon >= 0)
            {
                if (!SipGrammar.TryUnescape(userinfo[(colon + 1)..], SipGrammar.UriComponent.Password, out string p))
                {
                    error = "invalid character or escape in password";
                    return false;
                }

                Password = p;
            }

            s = s[(at + 1)..];
        }

        // hostport, then ";params", then "?headers".
        int hostportEnd = s.IndexOfAny(";?");
        ReadOnlySpan<char> hostport = hostportEnd < 0 ? s : s[..hostportEnd];
        if (!hostport.IsEmpty && hostport[0] != '[' && hostport.Count(':') > 1)
        {
            error = "IPv6 address must be enclosed in [] (RFC 5118 §4.2)";
            return false;
        }

        int hostEnd;
        if (!s.IsEmpty && s[0] == '[')
        {
            hostEnd = s.IndexOf(']');
            if (hostEnd < 0)
            {
                error = "unterminated IPv6 reference";
                return false;
            }

            hostEnd++;
        }
        else
        {
            hostEnd = s.IndexOfAny(":;?");
            if (hostEnd < 0)
            {
                hostEnd = s.Length;
            }
        }

        ReadOnlySpan<char> host = s[..hostEnd];
        if (!SipHost.IsValid(host))
        {
            error = $"invalid host \"{SipParameters.Excerpt(host)}\"";
            return false;
        }

        Host = host.ToString();
        s = s[hostEnd..];
        if (!s.IsEmpty && s[0] == ':')
        {
            int portEnd = s.IndexOfAny(";?");
            if (portEnd < 0)
            {
                portEnd = s.Length;
            }

            if (!SipHost.TryParsePort(s[1..portEnd], out int port))
            {
                error = $"invalid port \"{SipParameters.Excerpt(s[1..portEnd])}\"";
                return false;
            }

            Port = port;
            s = s[portEnd..];
        }

        int question = s.IndexOf('?');
        ReadOnlySpan<char> parameters = question < 0 ? s : s[..question];
        if (!TryParseUriParameters(parameters, Parameters, limits.MaxParameterCount, out error))
        {
            return false;
        }

        if (question >= 0)
        {
            return TryParseUriHeaders(s[(question + 1)..], Headers, limits.MaxParameterCount, out error);
        }

        return true;
    }

    private bool TryParseTel(ReadOnlySpan<char> s, SipLimits limits, [NotNullWhen(false)] out string? error)
    {
        // RFC 3966 §3: telephone-subscriber = global-number / local-number, then ;par.
        int semi = s.IndexOf(';');
        ReadOnlySpan<char> number = semi < 0 ? s : s[..semi];
        if (number.IsEmpty)
        {
            error = "empty telephone number";
            return false;
        }

        foreach (char c in number)
        {
            if (SipGrammar.HexValue(c) < 0 && c is not '+' and not '*' and not '#' and not '-' and not '.' and not '(' and not ')')
            {
                error = $"invalid character '{c}' in telephone number";
                return false;
            }
        }

        User = number.ToString();
        return TryParseUriParameters(semi < 0 ? [] : s[semi..], Parameters, limits.MaxParameterCount, out error);
    }

    private bool TryParseOpaque(ReadOnlySpan<char> s, [NotNullWhen(false)] out string? error)
    {
        // RFC 3261 §25.1 absoluteURI: hier-part / opaque-part, built from uric characters.
        if (s.IsEmpty)
        {
            error = $"empty {Scheme} URI";
            return false;
        }

        foreach (char c in s)
        {
            if (c <= ' ' || c >= 0x7F || c is '<' or '>' or '"' or '{' or '}' or '|' or '\\' or '^' or '`')
            {
                error = $"invalid character in {Scheme} URI";
                return false;
            }
        }

        Opaque = s.ToString();
        error = null;
        return true;
    }

    private static bool TryParseUriParameters(ReadOnlySpan<char> s, SipParameters into, int maxCount, [NotNullWhen(false)] out string? error)
    {
        // uri-parameters = *( ";" uri-parameter ); pname = 1*paramchar; pvalue = 1*paramchar
        error = null;
        if (s.IsEmpty)
        {
            return true;
        }

        if (s[0] != ';')
        {
            error = $"unexpected \"{SipParameters.Excerpt(s)}\" after host";
            return false;
        }

        s = s[1..];
        while (true)
        {
            int semi = s.IndexOf(';');
            ReadOnlySpan<char> item = semi < 0 ? s : s[..semi];
            int eq = item.IndexOf('=');
            ReadOnlySpan<char> rawName = eq < 0 ? item : item[..eq];
            string name = string.Empty;
            if (rawName.IsEmpty || (rawName.Contains('%') ? !SipGrammar.TryUnescape(rawName, SipGrammar.UriComponent.Parameter, out name) : !IsParamText(rawName, out name)))
            {
                error = $"invalid URI parameter \"{SipParameters.Excerpt(item)}\"";
                return false;
            }

            string? value = null;
            if (eq >= 0 && !SipGrammar.TryUnescape(item[(eq + 1)..], SipGrammar.UriComponent.Parameter, out value))
            {
                error = $"invalid value of URI parameter {name}";
                return false;
            }

            if (into.Count >= maxCount)
            {
                error = $"more than {maxCount} URI parameters";
                return false;
            }

            into.Add(name, value);
            if (semi < 0)
            {
                return true;
            }

            s = s[(semi + 1)..];
        }
    }

    private static bool IsParamText(ReadOnlySpan<char> s, out string name)
    {
        foreach (char c in s)
        {
            if (!SipGrammar.IsAllowed(c, SipGrammar.UriComponent.Parameter))
            {
                name = string.Empty;
                return false;
            }
        }

        name = SipParameters.InternName(s);
        return true;
    }

    private static bool TryParseUriHeaders(ReadOnlySpan<char> s, SipParameters into, int maxCount, [NotNullWhen(false)] out string? error)
    {
        // headers = "?" header *( "&" header ); header = hname "=" hvalue
        while (true)
        {
            int amp = s.IndexOf('&');
            ReadOnlySpan<char> item = amp < 0 ? s : s[..amp];
            int eq = item.IndexOf('=');
            if (eq <= 0 ||
                !SipGrammar.TryUnescape(item[..eq], SipGrammar.UriComponent.Header, out string name) ||
                !SipGrammar.TryUnescape(item[(eq + 1)..], SipGrammar.UriComponent.Header, out string value))
            {
                error = $"invalid URI header \"{SipParameters.Excerpt(item)}\"";
                return false;
            }

            if (into.Count >= maxCount)
            {
                error = $"more than {maxCount} URI headers";
                return false;
            }

            into.Add(name, value);
            if (amp < 0)
            {
                error = null;
                return true;
            }

            s = s[(amp + 1)..];
        }
    }

    /// <summary>A deep copy, so that a copied URI (e.g. in a response's To) can be changed without touching the original.</summary>
    public SipUri Clone() => new(Scheme)
    {
        User = User,
        Password = Password,
        Host = Host,
        Port = Port,
        Opaque = Opaque,
        Parameters = Parameters.Clone(),
        Headers = Headers.Clone(),
    };

    /// <summary>The URI as it is sent: components escaped where RFC 3261 §25.1 requires it.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(64);
        AppendTo(sb);
        return sb.ToString();
    }

    internal void AppendTo(StringBuilder sb)
    {
        sb.Append(Scheme).Append(':');
        if (Opaque is not null)
        {
            sb.Append(Opaque);
            return;
        }

        if (Scheme == "tel")
        {
            sb.Append(User);
        }
        else
        {
            if (!string.IsNullOrEmpty(User))
            {
                SipGrammar.AppendEscaped(sb, User, SipGrammar.UriComponent.User);
                if (Password is not null)
                {
                    sb.Append(':');
                    SipGrammar.AppendEscaped(sb, Password, SipGrammar.UriComponent.Password);
                }

                sb.Append('@');
            }

            sb.Append(Host);
            if (Port is int port)
            {
                sb.Append(':').Append(port);
            }
        }

        foreach (SipParameter p in Parameters)
        {
            sb.Append(';');
            SipGrammar.AppendEscaped(sb, p.Name, SipGrammar.UriComponent.Parameter);
            if (p.Value is not null)
            {
                sb.Append('=');
                SipGrammar.AppendEscaped(sb, p.Value, SipGrammar.UriComponent.Parameter);
            }
        }

        for (int i = 0; i < Headers.Count; i++)
        {
            sb.Append(i == 0 ? '?' : '&');
            SipGrammar.AppendEscaped(sb, Headers[i].Name, SipGrammar.UriComponent.Header);
            sb.Append('=');
            SipGrammar.AppendEscaped(sb, Headers[i].Value ?? string.Empty, SipGrammar.UriComponent.Header);
        }
    }

    /// <summary>
    /// URI equality of RFC 3261 §19.1.4: schemes must match (sip never equals sips); user and password compare
    /// case-sensitively after unescaping; host, parameters and headers case-insensitively; a port or a
    /// user/ttl/method/maddr/transport parameter present in only one URI makes them differ; other parameters are
    /// compared only when both URIs carry them; headers must all match.
    /// </summary>
    public bool Equals(SipUri? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Scheme != other.Scheme)
        {
            return false;
        }

        if (Opaque is not null || other.Opaque is not null)
        {
            return string.Equals(Opaque, other.Opaque, StringComparison.OrdinalIgnoreCase);
        }

        if (!string.Equals(User, other.User, StringComparison.Ordinal) ||
            !string.Equals(Password, other.Password, StringComparison.Ordinal) ||
            !HostEquals(Host, other.Host) ||
            Port != other.Port)
        {
            return false;
        }

        return ParametersEqual(Parameters, other.Parameters) && HeadersEqual(Headers, other.Headers);
    }

    private static bool HostEquals(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // RFC 5118 §4.1: differently written IPv6 references ("[::1]" and "[0:0::1]") name the same host.
        return a.StartsWith('[') && b.StartsWith('[') &&
            IPAddress.TryParse(a.AsSpan(1, a.Length - 2), out IPAddress? x) &&
            IPAddress.TryParse(b.AsSpan(1, b.Length - 2), out IPAddress? y) &&
            x.Equals(y);
    }

    private static bool ParametersEqual(SipParameters a, SipParameters b)
    {
        // A parameter repeated in a URI is compared with the same occurrence in the other URI.
        for (int i = 0; i < a.Count; i++)
        {
            SipParameter p = a[i];
            int j = b.IndexOf(p.Name, Occurrence(a, i));
            if (j < 0)
            {
                if (IsMustMatchParameter(p.Name))
                {
                    return false;
                }

                continue;
            }

            if (!string.Equals(p.Value, b[j].Value, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        foreach (SipParameter p in b)
        {
            if (IsMustMatchParameter(p.Name) && a.IndexOf(p.Name) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How many parameters before index <paramref name="i"/> have the same name.</summary>
    private static int Occurrence(SipParameters list, int i)
    {
        int n = 0;
        for (int k = 0; k < i; k++)
        {
            if (string.Equals(list[k].Name, list[i].Name, StringComparison.OrdinalIgnoreCase))
            {
                n++;
            }
        }

        return n;
    }

    private static bool IsMustMatchParameter(string name) =>
        name.Equals("user", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("ttl", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("method", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("maddr", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("transport", StringComparison.OrdinalIgnoreCase);

    private static bool HeadersEqual(SipParameters a, SipParameters b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            int j = b.IndexOf(a[i].Name, Occurrence(a, i));
            if (j < 0 || !string.Equals(a[i].Value, b[j].Value, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SipUri);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        // Only components that must be equal for Equals to hold: scheme, user and (case-folded) host.
        var hash = new HashCode();
        hash.Add(Scheme);
        hash.Add(User, StringComparer.Ordinal);
        hash.Add(IsIPv6Reference ? null : Host, StringComparer.OrdinalIgnoreCase);
        hash.Add(Port);
        return hash.ToHashCode();
    }
}
