using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Intercom.Sip.Messages;

/// <summary>
/// Ordered parameters of a URI or header element. Names compare case-insensitively (RFC 3261 §7.3.1, §19.1.4);
/// order and spelling are kept so that a message is forwarded as it came.
/// </summary>
public sealed class SipParameters : IReadOnlyList<SipParameter>
{
    private static readonly List<SipParameter> Empty = [];

    // Most URIs and header elements carry no or few parameters: the list is made on the first Add.
    private List<SipParameter>? _list;

    private List<SipParameter> Items => _list ?? Empty;

    /// <inheritdoc/>
    public int Count => Items.Count;

    /// <inheritdoc/>
    public SipParameter this[int index] => Items[index];

    /// <summary>True when a parameter named <paramref name="name"/> is present (with or without a value).</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of the first parameter named <paramref name="name"/>; null when absent or when it has no value.</summary>
    public string? Get(string name)
    {
        int i = IndexOf(name);
        return i < 0 ? null : Items[i].Value;
    }

    /// <summary>Appends a parameter, even when one of that name exists.</summary>
    public void Add(string name, string? value = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        (_list ??= []).Add(new SipParameter(name, value));
    }

    /// <summary>Replaces the value of the first parameter named <paramref name="name"/>, or appends it.</summary>
    public void Set(string name, string? value = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int i = IndexOf(name);
        if (i < 0)
        {
            (_list ??= []).Add(new SipParameter(name, value));
        }
        else
        {
            Items[i] = new SipParameter(Items[i].Name, value);
        }
    }

    /// <summary>Removes every parameter named <paramref name="name"/>; returns how many were removed.</summary>
    public int Remove(string name)
    {
        int removed = 0;
        for (int i = Items.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Items[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                Items.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Index of the first parameter named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => IndexOf(name, 0);

    /// <summary>Index of the parameter named <paramref name="name"/> that follows <paramref name="skip"/> earlier ones of that name, or -1.</summary>
    public int IndexOf(string name, int skip)
    {
        for (int i = 0; i < Items.Count; i++)
        {
            if (string.Equals(Items[i].Name, name, StringComparison.OrdinalIgnoreCase) && skip-- == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Copies the parameters into a new list.</summary>
    public SipParameters Clone()
    {
        var copy = new SipParameters();
        if (_list is { Count: > 0 })
        {
            copy._list = [.. _list];
        }

        return copy;
    }

    /// <inheritdoc/>
    public IEnumerator<SipParameter> GetEnumerator() => Items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Writes <c>;name=value</c> for each header parameter; values are written as stored (tokens or quoted strings).</summary>
    internal void AppendTo(StringBuilder sb)
    {
        foreach (SipParameter p in Items)
        {
            sb.Append(';').Append(p.Name);
            if (p.Value is not null)
            {
                sb.Append('=').Append(p.Value);
            }
        }
    }

    /// <summary>
    /// Parses <c>*( SEMI generic-param )</c> of a header element (RFC 3261 §25.1): names are tokens, values are
    /// tokens, hosts or quoted strings, kept as written. LWS around ';' and '=' is allowed.
    /// </summary>
    internal static bool TryParseHeaderParameters(ReadOnlySpan<char> s, SipParameters into, int maxCount, [NotNullWhen(false)] out string? error)
    {
        error = null;
        s = SipGrammar.TrimLws(s);
        while (!s.IsEmpty)
        {
            if (s[0] != ';')
            {
                error = $"expected ';' before \"{Excerpt(s)}\"";
                return false;
            }

            s = SipGrammar.TrimLws(s[1..]);
            int nameEnd = 0;
            while (nameEnd < s.Length && SipGrammar.IsTokenChar(s[nameEnd]))
            {
                nameEnd++;
            }

            if (nameEnd == 0)
            {
                error = "empty parameter name";
                return false;
            }

            string name = InternName(s[..nameEnd]);
            s = SipGrammar.TrimLws(s[nameEnd..]);
            string? value = null;
            if (!s.IsEmpty && s[0] == '=')
            {
                s = SipGrammar.TrimLws(s[1..]);
                int valueEnd;
                if (!s.IsEmpty && s[0] == '"')
                {
                    valueEnd = SipGrammar.QuotedStringLength(s);
                    if (valueEnd < 0)
                    {
                        error = $"unterminated quoted string in parameter {name}";
                        return false;
                    }
                }
                else
                {
                    // gen-value = token / host / quoted-string; host may be an IPv6 reference "[...]".
                    valueEnd = 0;
                    while (valueEnd < s.Length && (SipGrammar.IsTokenChar(s[valueEnd]) || s[valueEnd] is '[' or ']' or ':'))
                    {
                        valueEnd++;
                    }

                    if (valueEnd == 0)
                    {
                        error = $"empty value of parameter {name}";
                        return false;
                    }
                }

                value = s[..valueEnd].ToString();
                s = SipGrammar.TrimLws(s[valueEnd..]);
            }

            if (into.Count >= maxCount)
            {
                error = $"more than {maxCount} parameters";
                return false;
            }

            (into._list ??= []).Add(new SipParameter(name, value));
        }

        return true;
    }

    /// <summary>Shares the strings of the parameter names nearly every message carries.</summary>
    internal static string InternName(ReadOnlySpan<char> name) => name switch
    {
        "branch" => "branch",
        "tag" => "tag",
        "rport" => "rport",
        "received" => "received",
        "lr" => "lr",
        "transport" => "transport",
        "maddr" => "maddr",
        "ttl" => "ttl",
        "user" => "user",
        "expires" => "expires",
        "q" => "q",
        "method" => "method",
        _ => name.ToString(),
    };

    internal static string Excerpt(ReadOnlySpan<char> s) => s.Length <= 32 ? s.ToString() : string.Concat(s[..32], "...");
}
