using System.Text;

namespace Intercom.Sip.Messages;

/// <summary>Character classes and small scanners of the RFC 3261 §25.1 grammar, shared by the URI and header parsers.</summary>
internal static class SipGrammar
{
    /// <summary>Which characters may appear unescaped in a URI component (RFC 3261 §25.1).</summary>
    internal enum UriComponent
    {
        User,
        Password,
        Parameter,
        Header,
    }

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    internal static bool IsAlphaNum(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9;

    internal static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    /// <summary>token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~").</summary>
    internal static bool IsTokenChar(char c) => IsAlphaNum(c) || c is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~';

    internal static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsToken(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (byte b in s)
        {
            if (!IsTokenChar((char)b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" / ")" / "&lt;" / "&gt;" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}"), used by Call-ID.</summary>
    internal static bool IsWordChar(char c) => IsTokenChar(c) || c is '(' or ')' or '<' or '>' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '{' or '}';

    internal static bool IsWhitespace(char c) => c is ' ' or '\t';

    /// <summary>mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"; unreserved = alphanum / mark.</summary>
    internal static bool IsUnreserved(char c) => IsAlphaNum(c) || c is '-' or '_' or '.' or '!' or '~' or '*' or '\'' or '(' or ')';

    internal static bool IsAllowed(char c, UriComponent component) => IsUnreserved(c) || component switch
    {
        // user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
        UriComponent.User => c is '&' or '=' or '+' or '$' or ',' or ';' or '?' or '/',
        // password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )
        UriComponent.Password => c is '&' or '=' or '+' or '$' or ',',
        // param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$"
        UriComponent.Parameter => c is '[' or ']' or '/' or ':' or '&' or '+' or '$',
        // hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$"
        _ => c is '[' or ']' or '/' or '?' or ':' or '+' or '$',
    };

    internal static ReadOnlySpan<char> TrimLws(ReadOnlySpan<char> s)
    {
        int start = 0;
        int end = s.Length;
        while (start < end && IsWhitespace(s[start]))
        {
            start++;
        }

        while (end > start && IsWhitespace(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }

    internal static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>
    /// Checks that <paramref name="s"/> only holds characters allowed in <paramref name="component"/> or well-formed
    /// %HH escapes, and decodes it. Escaped octets are read as UTF-8; octets that do not form UTF-8 are kept as
    /// U+0000–U+00FF so that nothing is lost.
    /// </summary>
    internal static bool TryUnescape(ReadOnlySpan<char> s, UriComponent component, out string value)
    {
        value = string.Empty;
        bool hasEscape = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length)
                {
                    return false;
                }

                if (HexValue(s[i + 1]) < 0 || HexValue(s[i + 2]) < 0)
                {
                    return false;
                }

                hasEscape = true;
                i += 2;
            }
            else if (!IsAllowed(c, component) && c < 0x80)
            {
                return false;
            }
        }

        if (!hasEscape)
        {
            value = s.ToString();
            return true;
        }

        byte[] bytes = new byte[Encoding.UTF8.GetMaxByteCount(s.Length)];
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '%')
            {
                bytes[n++] = (byte)((HexValue(s[i + 1]) << 4) | HexValue(s[i + 2]));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes[n++] = (byte)c;
            }
            else
            {
                n += Encoding.UTF8.GetBytes(s.Slice(i, char.IsHighSurrogate(c) && i + 1 < s.Length ? 2 : 1), bytes.AsSpan(n));
                if (char.IsHighSurrogate(c) && i + 1 < s.Length)
                {
                    i++;
                }
            }
        }

        try
        {
            value = StrictUtf8.GetString(bytes, 0, n);
        }
        catch (DecoderFallbackException)
        {
            value = Encoding.Latin1.GetString(bytes, 0, n);
        }

        return true;
    }

    /// <summary>Writes <paramref name="value"/> escaping every character not allowed unescaped in <paramref name="component"/> (RFC 3261 §19.1.2).</summary>
    internal static void AppendEscaped(StringBuilder sb, string value, UriComponent component)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c < 0x80 && IsAllowed(c, component))
            {
                sb.Append(c);
                continue;
            }

            int count;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                count = Encoding.UTF8.GetBytes(value.AsSpan(i, 2), utf8);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                count = Encoding.UTF8.GetBytes("\uFFFD", utf8);
            }
            else
            {
                count = Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            }

            for (int k = 0; k < count; k++)
            {
                sb.Append('%').Append("0123456789ABCDEF"[utf8[k] >> 4]).Append("0123456789ABCDEF"[utf8[k] & 0xF]);
            }
        }
    }

    /// <summary>Finds <paramref name="target"/> outside quoted strings and angle brackets, or -1.</summary>
    internal static int IndexOfUnquoted(ReadOnlySpan<char> s, char target)
    {
        bool quoted = false;
        bool angle = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (angle)
            {
                if (c == '>')
                {
                    angle = false;
                }
            }
            else if (c == target)
            {
                return i;
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == '<')
            {
                angle = true;
            }
        }

        return -1;
    }

    /// <summary>Length of the quoted-string starting at <paramref name="s"/>[0] (which must be DQUOTE), or -1 when unterminated.</summary>
    internal static int QuotedStringLength(ReadOnlySpan<char> s)
    {
        for (int i = 1; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\\')
            {
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                i++;
            }
            else if (c == '"')
            {
                return i + 1;
            }
        }

        return -1;
    }

    /// <summary>Removes the surrounding quotes of a quoted-string and resolves its quoted-pairs.</summary>
    internal static string Unquote(ReadOnlySpan<char> quoted)
    {
        ReadOnlySpan<char> inner = quoted[1..^1];
        if (inner.IndexOf('\\') < 0)
        {
            return inner.ToString();
        }

        var sb = new StringBuilder(inner.Length);
        for (int i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length)
            {
                i++;
            }

            sb.Append(inner[i]);
        }

        return sb.ToString();
    }

    /// <summary>Quotes a display name, escaping '"', '\' and control characters (RFC 3261 §25.1 quoted-pair).</summary>
    internal static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            if (c is '\r' or '\n')
            {
                // CR and LF cannot even be quoted (quoted-pair excludes them): sent as a space.
                sb.Append(' ');
                continue;
            }

            if (c is '"' or '\\' || (c < 0x20 && c != '\t') || c == 0x7F)
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        sb.Append('"');
    }
}
