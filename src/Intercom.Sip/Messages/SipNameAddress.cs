using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Intercom.Sip.Messages;

/// <summary>
/// The value of From, To, Contact, Route, Record-Route and similar headers (RFC 3261 §20.10, §25.1): an optional
/// display name, a URI and header parameters such as tag, expires or q. Both the name-addr form
/// (<c>"Bob" &lt;sip:bob@host&gt;;tag=1</c>) and the addr-spec form (<c>sip:bob@host;tag=1</c>, where the
/// parameters belong to the header, not the URI) are read; the name-addr form is always written.
/// </summary>
public sealed class SipNameAddress
{
    /// <summary>Creates a value for <paramref name="uri"/>.</summary>
    public SipNameAddress(SipUri uri, string? displayName = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Uri = uri;
        DisplayName = displayName;
    }

    /// <summary>The display name without quotes or escapes; null when absent.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The address.</summary>
    public SipUri Uri { get; set; }

    /// <summary>Header parameters (tag, expires, q, ...), values as written.</summary>
    public SipParameters Parameters { get; private init; } = new();

    /// <summary>The tag parameter of From/To (RFC 3261 §19.3), or null.</summary>
    public string? Tag
    {
        get => Parameters.Get("tag");
        set
        {
            if (value is null)
            {
                Parameters.Remove("tag");
            }
            else
            {
                Parameters.Set("tag", value);
            }
        }
    }

    /// <summary>
    /// The expires parameter of a Contact in seconds (RFC 3261 §10.2.1.1, §20.10), or null when absent or not a
    /// number; values above 2**32-1 read as 2**32-1 (RFC 4475 §3.1.2.4 asks not to fail on them).
    /// </summary>
    public uint? Expires
    {
        get
        {
            string? value = Parameters.Get("expires");
            if (string.IsNullOrEmpty(value) || value.AsSpan().IndexOfAnyExceptInRange('0', '9') >= 0)
            {
                return null;
            }

            ReadOnlySpan<char> digits = value.AsSpan().TrimStart('0');
            return digits.Length > 10 || (digits.Length > 0 && ulong.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) > uint.MaxValue)
                ? uint.MaxValue
                : digits.Length == 0 ? 0 : uint.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Parses one name-addr or addr-spec with its parameters.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SipNameAddress? value) => TryParse(text, SipLimits.Default, out value, out _);

    /// <summary>Parses one name-addr or addr-spec with its parameters; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, SipLimits limits, [NotNullWhen(true)] out SipNameAddress? value, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        value = null;
        ReadOnlySpan<char> s = SipGrammar.TrimLws(text);
        if (s.IsEmpty)
        {
            error = "empty address";
            return false;
        }

        string? displayName = null;
        ReadOnlySpan<char> uriText;
        ReadOnlySpan<char> rest;
        if (s[0] == '"')
        {
            int end = SipGrammar.QuotedStringLength(s);
            if (end < 0)
            {
                error = "unterminated quoted display name";
                return false;
            }

            displayName = SipGrammar.Unquote(s[..end]);
            s = SipGrammar.TrimLws(s[end..]);
            if (s.IsEmpty || s[0] != '<')
            {
                error = "quoted display name not followed by <URI>";
                return false;
            }
        }

        int laquot = s.IndexOf('<');
        if (laquot >= 0)
        {
            ReadOnlySpan<char> name = SipGrammar.TrimLws(s[..laquot]);
            if (!name.IsEmpty)
            {
                // display-name = *(token LWS) / quoted-string; UTF-8 letters outside quotes are tolerated (liberal),
                // separators such as ',' are not (RFC 4475 §3.1.2.15).
                foreach (char c in name)
                {
                    if (!SipGrammar.IsTokenChar(c) && !SipGrammar.IsWhitespace(c) && c < 0x80)
                    {
                        error = $"character '{c}' not allowed in an unquoted display name";
                        return false;
                    }
                }

                displayName = NormaliseSpaces(name);
            }

            int raquot = s[laquot..].IndexOf('>');
            if (raquot < 0)
            {
                error = "'<' without '>'";
                return false;
            }

            uriText = s[(laquot + 1)..(laquot + raquot)];
            rest = s[(laquot + raquot + 1)..];
        }
        else
        {
            // addr-spec: the URI ends at the first ';' (parameters after it are header parameters, RFC 3261 §20).
            int semi = s.IndexOf(';');
            uriText = SipGrammar.TrimLws(semi < 0 ? s : s[..semi]);
            rest = semi < 0 ? [] : s[semi..];
            if (uriText.IndexOfAny(",?") >= 0)
            {
                // RFC 3261 §20.10: a URI holding a comma, semicolon or question mark must be in name-addr form (RFC 4475 §3.1.2.13).
                error = "a URI with headers or commas must be enclosed in <>";
                return false;
            }
        }

        if (uriText.IndexOfAny(" \t") >= 0)
        {
            error = $"whitespace inside the URI \"{SipParameters.Excerpt(uriText)}\"";
            return false;
        }

        if (!SipUri.TryParse(uriText, limits, out SipUri? uri, out string? uriError))
        {
            error = uriError;
            return false;
        }

        var result = new SipNameAddress(uri, displayName);
        if (!SipParameters.TryParseHeaderParameters(rest, result.Parameters, limits.MaxParameterCount, out error))
        {
            return false;
        }

        value = result;
        return true;
    }

    private static string NormaliseSpaces(ReadOnlySpan<char> s)
    {
        if (s.IndexOf('\t') < 0 && s.IndexOf("  ") < 0)
        {
            return s.ToString();
        }

        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c in s)
        {
            if (SipGrammar.IsWhitespace(c))
            {
                space = true;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>A deep copy.</summary>
    public SipNameAddress Clone() => new(Uri.Clone(), DisplayName) { Parameters = Parameters.Clone() };

    /// <summary>The name-addr form: <c>"Display" &lt;uri&gt;;params</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(96);
        if (!string.IsNullOrEmpty(DisplayName))
        {
            SipGrammar.AppendQuoted(sb, DisplayName);
            sb.Append(' ');
        }

        sb.Append('<');
        Uri.AppendTo(sb);
        sb.Append('>');
        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
