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
    private readonly List<SipParameter> _items = [];

    /// <inheritdoc/>
    public int Count => _items.Count;

    /// <inheritdoc/>
    public SipParameter this[int index] => _items[index];

    /// <summary>True when a parameter named <paramref name="name"/> is present (with or without a value).</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of the first parameter named <paramref name="name"/>; null when absent or when it has no value.</summary>
    public string? Get(string name)
    {
        int i = IndexOf(name);
        return i < 0 ? null : _items[i].Value;
    }

    /// <summary>Appends a parameter, even when one of that name exists.</summary>
    public void Add(string name, string? value = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _items.Add(new SipParameter(name, value));
    }

    /// <summary>Replaces the value of the first parameter named <paramref name="name"/>, or appends it.</summary>
    public void Set(string name, string? value = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int i = IndexOf(name);
        if (i < 0)
        {
            _items.Add(new SipParameter(name, value));
        }
        else
        {
            _items[i] = new SipParameter(_items[i].Name, value);
        }
    }

    /// <summary>Removes every parameter named <paramref name="name"/>; returns how many were removed.</summary>
    public int Remove(string name)
    {
        int removed = 0;
        for (int i = _items.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                _items.RemoveAt(i);
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
        for (int i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.OrdinalIgnoreCase) && skip-- == 0)
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
        copy._items.AddRange(_items);
        return copy;
    }

    /// <inheritdoc/>
    public IEnumerator<SipParameter> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Writes <c>;name=value</c> for each header parameter; values are written as stored (tokens or quoted strings).</summary>
    internal void AppendTo(StringBuilder sb)
    {
        foreach (SipParameter p in _items)
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

            string name = s[..nameEnd].ToString();
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

            into._items.Add(new SipParameter(name, value));
        }

        return true;
    }

    internal static string Excerpt(ReadOnlySpan<char> s) => s.Length <= 32 ? s.ToString() : string.Concat(s[..32], "...");
}
