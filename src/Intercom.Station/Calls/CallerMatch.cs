namespace Intercom.Station.Calls;

/// <summary>
/// Matches a caller's URI against the allowlist, without the SIP stack (the station does not reference it).
/// Entries are either a SIP URI ("sip:alice@pbx.example", or "alice@pbx.example"), matched on user AND host, or an
/// extension ("101"), matched on the user part alone — and only for a caller who came through the registrar or a trusted
/// source network, whose user names are that PBX's or network's to give (<see cref="CallerOrigin"/>). A caller nothing
/// vouches for matches nothing. The user part compares case-sensitively and the host case-insensitively (RFC 3261
/// §19.1.4); port, parameters and headers are ignored (the same phone registers from different ports and transports).
/// </summary>
internal static class CallerMatch
{
    private const int MaxLength = 512;

    /// <summary>True when <paramref name="value"/> looks like something that can be dialled or matched.</summary>
    public static bool IsPlausibleTarget(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c <= ' ' || c == 0x7F)
            {
                return false;
            }
        }

        if (TryStripScheme(value, out var rest))
        {
            return TrySplit(rest, out var user, out var host) ? host.Length > 0 && (user.Length > 0 || !rest.Contains('@')) : false;
        }

        // No scheme: an extension, a ring group id, or "user@host".
        return !value.Contains(':', StringComparison.Ordinal);
    }

    /// <summary>True when the caller, let in as <paramref name="origin"/>, matches an entry of the allowlist.</summary>
    public static bool IsAllowed(IReadOnlyList<string> allowlist, string? callerUri, CallerOrigin origin)
    {
        if (origin == CallerOrigin.Unverified || string.IsNullOrEmpty(callerUri) || callerUri.Length > MaxLength)
        {
            return false;
        }

        // An extension is a user name of the PBX or network the call came through; anyone else may claim any user name.
        var extensionsCount = origin is CallerOrigin.Registrar or CallerOrigin.TrustedSource;

        var uri = Unwrap(callerUri.AsSpan());
        if (!TryStripScheme(uri, out var rest) || !TrySplit(rest, out var user, out var host) || user.IsEmpty)
        {
            return false;
        }

        foreach (var entry in allowlist)
        {
            if (string.IsNullOrEmpty(entry))
            {
                continue;
            }

            var e = entry.AsSpan().Trim();
            if (TryStripScheme(e, out var entryRest))
            {
                if (TrySplit(entryRest, out var entryUser, out var entryHost) && user.SequenceEqual(entryUser)
                    && host.Equals(entryHost, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            else if (e.IndexOf('@') is var at and >= 0)
            {
                if (user.SequenceEqual(e[..at]) && host.Equals(e[(at + 1)..], StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            else if (extensionsCount && user.SequenceEqual(e))
            {
                return true;
            }
        }

        return false;
    }

    // "Alice" <sip:alice@example.com>;tag=x  ->  sip:alice@example.com
    private static ReadOnlySpan<char> Unwrap(ReadOnlySpan<char> value)
    {
        var open = value.IndexOf('<');
        if (open >= 0)
        {
            var close = value[(open + 1)..].IndexOf('>');
            return close >= 0 ? value.Slice(open + 1, close) : value[(open + 1)..];
        }

        return value.Trim();
    }

    private static bool TryStripScheme(ReadOnlySpan<char> value, out ReadOnlySpan<char> rest)
    {
        if (value.StartsWith("sip:", StringComparison.OrdinalIgnoreCase))
        {
            rest = value[4..];
            return true;
        }

        if (value.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            rest = value[5..];
            return true;
        }

        rest = default;
        return false;
    }

    // user[:password]@host[:port][;params][?headers]  (RFC 3261 §19.1.1)
    private static bool TrySplit(ReadOnlySpan<char> rest, out ReadOnlySpan<char> user, out ReadOnlySpan<char> host)
    {
        var at = rest.IndexOf('@');
        user = default;
        if (at >= 0)
        {
            var userInfo = rest[..at];
            var colon = userInfo.IndexOf(':');
            user = colon >= 0 ? userInfo[..colon] : userInfo;
            rest = rest[(at + 1)..];
        }

        var end = rest.IndexOfAny(";?>");
        host = end >= 0 ? rest[..end] : rest;
        if (host.StartsWith("["))
        {
            // IPv6 reference: the port colon comes after the bracket.
            var bracket = host.IndexOf(']');
            host = bracket >= 0 ? host[..(bracket + 1)] : host;
        }
        else if (host.IndexOf(':') is var portColon and >= 0)
        {
            host = host[..portColon];
        }

        return !host.IsEmpty;
    }
}
