namespace Intercom.Station.Routing;

/// <summary>
/// The ring-group targets that ring browser phones registered with the station over its WebSocket (RFC 7118) instead of
/// a SIP URI: "web" (every registered browser phone, the station's own page among them) and "web:NAME" (the phones of
/// web user NAME, or of the digest user NAME of sip.incomingAuth). Each registration rings as a leg of its own.
/// </summary>
public static class WebPhoneTarget
{
    /// <summary>The target ringing every browser phone.</summary>
    public const string Any = "web";

    private const string NamedPrefix = "web:";

    /// <summary>
    /// True when <paramref name="target"/> can be rung: a well-formed "web" / "web:NAME", or anything else that looks like
    /// a SIP URI, an extension or a ring group id. "web:" is this namespace's: a malformed name in it is no SIP URI either.
    /// </summary>
    public static bool IsDialable(string? target) =>
        TryParse(target, out _) || (target is not null && !target.StartsWith(NamedPrefix, StringComparison.Ordinal) && Calls.CallerMatch.IsPlausibleTarget(target));

    /// <summary>The target of web user <paramref name="user"/>'s phones, "web:USER": also how that user's page is named when it calls.</summary>
    public static string Of(string user) => NamedPrefix + user;
    private const int MaxNameLength = 64;

    /// <summary>
    /// True when <paramref name="target"/> is "web" (<paramref name="name"/> null: anyone's phone) or "web:NAME"
    /// (<paramref name="name"/> NAME: letters, digits and . _ - @ +, as user names are). Case-sensitive, like the name.
    /// </summary>
    public static bool TryParse(string? target, out string? name)
    {
        name = null;
        if (string.Equals(target, Any, StringComparison.Ordinal))
        {
            return true;
        }

        if (target is null || !target.StartsWith(NamedPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = target.AsSpan(NamedPrefix.Length);
        if (rest.IsEmpty || rest.Length > MaxNameLength)
        {
            return false;
        }

        foreach (var c in rest)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or '+'))
            {
                return false;
            }
        }

        name = rest.ToString();
        return true;
    }
}
