using System.Net;
using System.Net.Sockets;

namespace Intercom.Media.Ice;

/// <summary>The character classes and small productions of RFC 8839 §5 and RFC 8866 §9 the ICE attributes share.</summary>
internal static class IceGrammar
{
    /// <summary>ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.1).</summary>
    public static bool IsIceChars(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>token (RFC 8866 §9): visible ASCII but for the separators SDP uses.</summary>
    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            bool ok = c is '!' or (>= '#' and <= '\'') or '*' or '+' or '-' or '.' or (>= '0' and <= '9')
                or (>= 'A' and <= 'Z') or (>= '^' and <= '~');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>1*DIGIT into a value; false on anything else or overflow past 20 digits.</summary>
    public static bool TryDigits(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 19)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (ulong)(c - '0');
        }

        return true;
    }

    /// <summary>port = 1*5DIGIT, 0–65535.</summary>
    public static bool TryPort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        if (text.Length > 5 || !TryDigits(text, out ulong value) || value > 65535)
        {
            return false;
        }

        port = (int)value;
        return true;
    }

    /// <summary>
    /// connection-address (RFC 8866 §9): a dotted-quad IPv4 address, an IPv6 address, or a host name (an mDNS name such
    /// as `1f4712db-ea17-4bcf-a596-105139dfd8bf.local`). Strict on literals: <see cref="IPAddress.TryParse(string)"/>
    /// alone would take `1`, `0x7f.1` or `127.1` as IPv4.
    /// </summary>
    public static bool TryConnectionAddress(ReadOnlySpan<char> text, out IPAddress? address)
    {
        address = null;
        if (text.IsEmpty || text.Length > 253)
        {
            return false;
        }

        if (text.Contains(':'))
        {
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6
                && !text.Contains('%');
        }

        if (IsDottedQuad(text))
        {
            return IPAddress.TryParse(text, out address);
        }

        return IsHostName(text);
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        int parts = 0;
        foreach (Range range in text.Split('.'))
        {
            ReadOnlySpan<char> part = text[range];
            if (++parts > 4 || part.Length is 0 or > 3 || !TryDigits(part, out ulong value) || value > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    /// <summary>RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens.</summary>
    private static bool IsHostName(ReadOnlySpan<char> text)
    {
        bool lastHasLetter = false;
        foreach (Range range in text.TrimEnd('.').Split('.'))
        {
            ReadOnlySpan<char> label = text[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            lastHasLetter = false;
            foreach (char c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }

                lastHasLetter |= !char.IsAsciiDigit(c);
            }
        }

        // RFC 3696 §2: a top-level label is never all digits, so `0x7f.0.0.1` is an address in disguise, not a name.
        return lastHasLetter;
    }
}
