using System.Collections.Frozen;

namespace Intercom.Sip.Messages;

/// <summary>Canonical header names and the compact forms of RFC 3261 §7.3.3 and its extensions.</summary>
public static class SipHeaderNames
{
#pragma warning disable CS1591 // The names document themselves.
    public const string Accept = "Accept";
    public const string AcceptEncoding = "Accept-Encoding";
    public const string AcceptLanguage = "Accept-Language";
    public const string AlertInfo = "Alert-Info";
    public const string Allow = "Allow";
    public const string AllowEvents = "Allow-Events";
    public const string AuthenticationInfo = "Authentication-Info";
    public const string Authorization = "Authorization";
    public const string CallId = "Call-ID";
    public const string CallInfo = "Call-Info";
    public const string Contact = "Contact";
    public const string ContentDisposition = "Content-Disposition";
    public const string ContentEncoding = "Content-Encoding";
    public const string ContentLanguage = "Content-Language";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string CSeq = "CSeq";
    public const string Date = "Date";
    public const string ErrorInfo = "Error-Info";
    public const string Event = "Event";
    public const string Expires = "Expires";
    public const string From = "From";
    public const string InReplyTo = "In-Reply-To";
    public const string MaxForwards = "Max-Forwards";
    public const string MinExpires = "Min-Expires";
    public const string MinSE = "Min-SE";
    public const string MimeVersion = "MIME-Version";
    public const string Organization = "Organization";
    public const string Path = "Path";
    public const string Priority = "Priority";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string ProxyRequire = "Proxy-Require";
    public const string RAck = "RAck";
    public const string Reason = "Reason";
    public const string RecordRoute = "Record-Route";
    public const string ReferTo = "Refer-To";
    public const string ReferredBy = "Referred-By";
    public const string ReplyTo = "Reply-To";
    public const string Require = "Require";
    public const string RetryAfter = "Retry-After";
    public const string Route = "Route";
    public const string RSeq = "RSeq";
    public const string Server = "Server";
    public const string ServiceRoute = "Service-Route";
    public const string SessionExpires = "Session-Expires";
    public const string Subject = "Subject";
    public const string SubscriptionState = "Subscription-State";
    public const string Supported = "Supported";
    public const string Timestamp = "Timestamp";
    public const string To = "To";
    public const string Unsupported = "Unsupported";
    public const string UserAgent = "User-Agent";
    public const string Via = "Via";
    public const string Warning = "Warning";
    public const string WwwAuthenticate = "WWW-Authenticate";
#pragma warning restore CS1591

    // Known names in their canonical spelling; a received name spelled exactly so reuses the constant (no allocation).
    private static readonly string[] Known =
    [
        Via, From, To, CallId, CSeq, Contact, MaxForwards, ContentLength, ContentType, Route, RecordRoute, Expires,
        Allow, Supported, Require, ProxyRequire, Unsupported, UserAgent, Server, Accept, AcceptEncoding, AcceptLanguage,
        Authorization, ProxyAuthorization, WwwAuthenticate, ProxyAuthenticate, AuthenticationInfo, Date, Subject,
        Event, AllowEvents, SubscriptionState, ReferTo, ReferredBy, SessionExpires, MinSE, RAck, RSeq, Timestamp,
        ContentDisposition, ContentEncoding, ContentLanguage, CallInfo, AlertInfo, ErrorInfo, Warning, MinExpires,
        RetryAfter, Reason, Path, ServiceRoute, Organization, Priority, InReplyTo, ReplyTo, MimeVersion,
    ];

    // Headers whose grammar is a comma-separated list (RFC 3261 §7.3.1), so one line may carry several values.
    // Authorization and the challenge headers are excluded on purpose: their commas separate auth-params.
    private static readonly string[] Lists =
    [
        Via, Contact, Route, RecordRoute, Allow, Supported, Require, ProxyRequire, Unsupported, Accept, AcceptEncoding,
        AcceptLanguage, AlertInfo, CallInfo, ErrorInfo, ContentEncoding, ContentLanguage, InReplyTo, Warning,
        AllowEvents, Path, ServiceRoute, Reason, "P-Asserted-Identity", "P-Preferred-Identity", "History-Info",
        "Security-Client", "Security-Server", "Security-Verify", "Accept-Contact", "Reject-Contact", "Request-Disposition",
    ];

    /// <summary>The long form for a compact name (RFC 3261 §7.3.3, RFC 3265, RFC 3515, RFC 3892, RFC 4028), else the name itself.</summary>
    public static string Expand(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length != 1)
        {
            return name;
        }

        return (name[0] | 0x20) switch
        {
            'i' => CallId,
            'm' => Contact,
            'f' => From,
            't' => To,
            'v' => Via,
            'l' => ContentLength,
            'c' => ContentType,
            'k' => Supported,
            'e' => ContentEncoding,
            's' => Subject,
            'o' => Event,
            'r' => ReferTo,
            'b' => ReferredBy,
            'x' => SessionExpires,
            'u' => AllowEvents,
            _ => name,
        };
    }

    // Any spelling of a known long name or compact form → canonical long name; built once, looked up per header line.
    private static readonly FrozenDictionary<string, string> CanonicalByName = BuildCanonical();

    // Long and compact names of list headers.
    private static readonly FrozenSet<string> ListNames = BuildLists();

    private static FrozenDictionary<string, string> BuildCanonical()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string known in Known)
        {
            map[known] = known;
        }

        foreach (char c in "imftvlckesorbxu")
        {
            map[c.ToString()] = Expand(c.ToString());
        }

        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static FrozenSet<string> BuildLists()
    {
        var set = new HashSet<string>(Lists, StringComparer.OrdinalIgnoreCase);
        foreach (char c in "imftvlckesorbxu")
        {
            if (set.Contains(Expand(c.ToString())))
            {
                set.Add(c.ToString());
            }
        }

        return set.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The canonical spelling of a known header (e.g. "call-id" or "i" → "Call-ID"); unknown names are returned as given.</summary>
    public static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return CanonicalByName.TryGetValue(name, out string? canonical) ? canonical : name;
    }

    /// <summary>True when <paramref name="headerName"/> (as received) names the header <paramref name="wanted"/> (long or compact, any case).</summary>
    public static bool Matches(string headerName, string wanted)
    {
        ArgumentNullException.ThrowIfNull(headerName);
        ArgumentNullException.ThrowIfNull(wanted);
        if (string.Equals(headerName, wanted, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return (headerName.Length == 1 || wanted.Length == 1) &&
            string.Equals(Expand(headerName), Expand(wanted), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the header's values form a comma-separated list that may be split and joined (RFC 3261 §7.3.1).</summary>
    public static bool IsList(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ListNames.Contains(name);
    }

    /// <summary>Returns the constant for a received name spelled exactly as a known name or compact form, else null.</summary>
    internal static string? Intern(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1)
        {
            return name[0] switch
            {
                (byte)'i' => "i", (byte)'m' => "m", (byte)'f' => "f", (byte)'t' => "t", (byte)'v' => "v",
                (byte)'l' => "l", (byte)'c' => "c", (byte)'k' => "k", (byte)'e' => "e", (byte)'s' => "s",
                (byte)'o' => "o", (byte)'r' => "r", (byte)'b' => "b", (byte)'x' => "x", (byte)'u' => "u",
                _ => null,
            };
        }

        foreach (string known in Known)
        {
            if (known.Length == name.Length && EqualsAscii(name, known))
            {
                return known;
            }
        }

        return null;
    }

    private static bool EqualsAscii(ReadOnlySpan<byte> bytes, string s)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != s[i])
            {
                return false;
            }
        }

        return true;
    }
}
