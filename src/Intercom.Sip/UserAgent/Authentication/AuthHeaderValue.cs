using Intercom.Sip.Messages;

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// One challenge or credentials value (RFC 3261 §25.1 challenge / credentials, RFC 7235 §2.1): an auth-scheme and its
/// auth-params, values unquoted. Token68 forms (Basic) are kept as a parameter with an empty name.
/// </summary>
internal sealed class AuthHeaderValue
{
    /// <summary>At most this many challenges are read from one header line; more is not a real server.</summary>
    internal const int MaxValuesPerLine = 8;

    /// <summary>At most this many auth-params per challenge (RFC 7616 defines eleven).</summary>
    internal const int MaxParameters = 24;

    private AuthHeaderValue(string scheme) => Scheme = scheme;

    public string Scheme { get; }

    public List<SipParameter> Parameters { get; } = [];

    public bool IsDigest => Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value of the first parameter named <paramref name="name"/> (case-insensitive, RFC 7235 §2.1), or null.</summary>
    public string? Get(string name)
    {
        foreach (SipParameter p in Parameters)
        {
            if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads every challenge or credentials value of one header line. Several challenges may share a line separated by
    /// commas (RFC 7235 §4.1); a token that is not followed by '=' starts the next one. Values are tokens or quoted
    /// strings; an unquoted value is read up to the next comma or whitespace (some servers leave '/' or '=' in a nonce
    /// unquoted). Linear in the length of the line; bounded counts. Never throws.
    /// </summary>
    public static bool TryParseLine(ReadOnlySpan<char> line, List<AuthHeaderValue> into, out string? error)
    {
        error = null;
        int pos = 0;
        int added = 0;
        while (true)
        {
            pos = SkipSeparators(line, pos);
            if (pos >= line.Length)
            {
                return true;
            }

            int schemeEnd = TokenEnd(line, pos);
            if (schemeEnd == pos)
            {
                error = "expected an auth-scheme";
                return false;
            }

            if (added == MaxValuesPerLine)
            {
                error = $"more than {MaxValuesPerLine} challenges on one line";
                return false;
            }

            var value = new AuthHeaderValue(line[pos..schemeEnd].ToString());
            into.Add(value);
            added++;
            pos = schemeEnd;
            if (!TryParseParameters(line, ref pos, value, out error))
            {
                return false;
            }
        }
    }

    private static bool TryParseParameters(ReadOnlySpan<char> line, ref int pos, AuthHeaderValue value, out string? error)
    {
        error = null;
        while (true)
        {
            int start = SkipSeparators(line, pos);
            if (start >= line.Length)
            {
                pos = start;
                return true;
            }

            int nameEnd = TokenEnd(line, start);
            if (nameEnd == start)
            {
                error = $"unexpected '{line[start]}' in auth-params";
                return false;
            }

            int afterName = SkipWhitespace(line, nameEnd);
            if (afterName >= line.Length || line[afterName] != '=')
            {
                // A bare token: the next challenge's scheme (or a token68 without padding, which digest never uses).
                if (value.Parameters.Count == 0 && (afterName >= line.Length || line[afterName] == ','))
                {
                    value.Parameters.Add(new SipParameter(string.Empty, line[start..nameEnd].ToString()));
                    pos = afterName;
                    continue;
                }

                pos = start;
                return true;
            }

            int eq = afterName;
            int valueStart = SkipWhitespace(line, eq + 1);
            if (value.Parameters.Count == 0 && (valueStart >= line.Length || line[valueStart] is '=' or ','))
            {
                // token68 with '=' padding (e.g. "Basic dXNlcg=="): keep it whole.
                int end = eq;
                while (end < line.Length && line[end] == '=')
                {
                    end++;
                }

                value.Parameters.Add(new SipParameter(string.Empty, line[start..end].ToString()));
                pos = end;
                continue;
            }

            if (value.Parameters.Count == MaxParameters)
            {
                error = $"more than {MaxParameters} auth-params";
                return false;
            }

            string name = line[start..nameEnd].ToString();
            string parameterValue;
            if (valueStart < line.Length && line[valueStart] == '"')
            {
                int length = SipGrammar.QuotedStringLength(line[valueStart..]);
                if (length < 0)
                {
                    error = $"unterminated quoted string in {name}";
                    return false;
                }

                parameterValue = SipGrammar.Unquote(line.Slice(valueStart, length));
                pos = valueStart + length;
            }
            else
            {
                int end = valueStart;
                while (end < line.Length && line[end] is not ',' and not ' ' and not '\t' and not '"')
                {
                    end++;
                }

                parameterValue = line[valueStart..end].ToString();
                pos = end;
            }

            value.Parameters.Add(new SipParameter(name, parameterValue));
            pos = SkipWhitespace(line, pos);
            if (pos < line.Length && line[pos] != ',')
            {
                error = $"expected ',' after {name}";
                return false;
            }
        }
    }

    private static int TokenEnd(ReadOnlySpan<char> s, int pos)
    {
        while (pos < s.Length && SipGrammar.IsTokenChar(s[pos]))
        {
            pos++;
        }

        return pos;
    }

    private static int SkipWhitespace(ReadOnlySpan<char> s, int pos)
    {
        while (pos < s.Length && SipGrammar.IsWhitespace(s[pos]))
        {
            pos++;
        }

        return pos;
    }

    private static int SkipSeparators(ReadOnlySpan<char> s, int pos)
    {
        while (pos < s.Length && (s[pos] == ',' || SipGrammar.IsWhitespace(s[pos])))
        {
            pos++;
        }

        return pos;
    }
}
