namespace Intercom.Sip.Messages;

/// <summary>Validates the host grammar of RFC 3261 §25.1 with the IPv6 corrections of RFC 5118 §4.</summary>
internal static class SipHost
{
    /// <summary>host = hostname / IPv4address / IPv6reference.</summary>
    internal static bool IsValid(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty)
        {
            return false;
        }

        if (host[0] == '[')
        {
            return host.Length > 2 && host[^1] == ']' && IsIPv6Address(host[1..^1]);
        }

        return IsHostname(host);
    }

    /// <summary>
    /// hostname = *( domainlabel "." ) toplabel [ "." ]; IPv4address is a special case of it (all-digit labels).
    /// Underscores are accepted inside labels because deployed DNS names carry them (liberal in what we accept).
    /// </summary>
    internal static bool IsHostname(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty || host.Length > 255)
        {
            return false;
        }

        if (host[^1] == '.')
        {
            host = host[..^1];
        }

        if (host.IsEmpty || host[^1] == '.')
        {
            return false;
        }

        // toplabel starts with a letter; a name whose last label starts with a digit must be an IPv4 address.
        int lastDot = host.LastIndexOf('.');
        if (SipGrammar.IsDigit(host[lastDot + 1]))
        {
            return IsIPv4Address(host);
        }

        int labelStart = 0;
        for (int i = 0; i <= host.Length; i++)
        {
            if (i == host.Length || host[i] == '.')
            {
                ReadOnlySpan<char> label = host[labelStart..i];
                if (label.IsEmpty || label[0] == '-' || label[^1] == '-')
                {
                    return false;
                }

                labelStart = i + 1;
                continue;
            }

            char c = host[i];
            if (!SipGrammar.IsAlphaNum(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// IPv6address per RFC 5118 §4.3 (the corrected ABNF): eight 16-bit groups, or fewer with exactly one "::",
    /// the last two groups optionally written as an IPv4 address. "2001:db8:::192.0.2.1" (three colons) is invalid.
    /// </summary>
    internal static bool IsIPv6Address(ReadOnlySpan<char> s)
    {
        if (s.Length < 2 || s.Length > 45)
        {
            return false;
        }

        int tripleColon = s.IndexOf(":::");
        if (tripleColon >= 0)
        {
            // RFC 5118 §4.10: the IPv6address rule RFC 3261 took from RFC 2373 derives hexseq ":::" IPv4address
            // ("2001:db8:::192.0.2.1"); such references are accepted (liberal), and nothing else with three colons.
            return tripleColon > 0 &&
                TryCountGroups(s[..tripleColon], allowIPv4: false, out int hexGroups) && hexGroups <= 5 &&
                IsIPv4Address(s[(tripleColon + 3)..]);
        }

        int doubleColon = s.IndexOf("::");
        if (doubleColon >= 0)
        {
            if (s[(doubleColon + 2)..].Contains("::", StringComparison.Ordinal))
            {
                return false;
            }

            if (!TryCountGroups(s[..doubleColon], allowIPv4: false, out int before) ||
                !TryCountGroups(s[(doubleColon + 2)..], allowIPv4: true, out int after))
            {
                return false;
            }

            return before + after <= 7;
        }

        return TryCountGroups(s, allowIPv4: true, out int groups) && groups == 8;
    }

    private static bool TryCountGroups(ReadOnlySpan<char> s, bool allowIPv4, out int groups)
    {
        groups = 0;
        if (s.IsEmpty)
        {
            return true;
        }

        while (true)
        {
            int colon = s.IndexOf(':');
            ReadOnlySpan<char> group = colon < 0 ? s : s[..colon];
            if (colon < 0 && allowIPv4 && group.Contains('.'))
            {
                if (!IsIPv4Address(group))
                {
                    return false;
                }

                groups += 2;
                return true;
            }

            if (group.IsEmpty || group.Length > 4)
            {
                return false;
            }

            foreach (char c in group)
            {
                if (SipGrammar.HexValue(c) < 0)
                {
                    return false;
                }
            }

            groups++;
            if (groups > 8)
            {
                return false;
            }

            if (colon < 0)
            {
                return true;
            }

            s = s[(colon + 1)..];
        }
    }

    /// <summary>IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255.</summary>
    internal static bool IsIPv4Address(ReadOnlySpan<char> s)
    {
        int parts = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= s.Length; i++)
        {
            if (i == s.Length || s[i] == '.')
            {
                if (digits == 0 || value > 255)
                {
                    return false;
                }

                parts++;
                value = 0;
                digits = 0;
                continue;
            }

            if (!SipGrammar.IsDigit(s[i]) || ++digits > 3)
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return parts == 4;
    }

    /// <summary>Parses port = 1*DIGIT, 0–65535.</summary>
    internal static bool TryParsePort(ReadOnlySpan<char> s, out int port)
    {
        port = 0;
        if (s.IsEmpty || s.Length > 5)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!SipGrammar.IsDigit(c))
            {
                return false;
            }

            port = (port * 10) + (c - '0');
        }

        return port <= 65535;
    }
}
