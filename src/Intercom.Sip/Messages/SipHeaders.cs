using System.Collections;

namespace Intercom.Sip.Messages;

/// <summary>
/// The header fields of a message in order, names and values as received (values unfolded, RFC 3261 §7.3.1).
/// Lookups ignore case and understand compact forms (RFC 3261 §7.3.3); values of list headers (Via, Contact,
/// Route, ...) joined by commas on one line are split at commas outside quoted strings and &lt;&gt;.
/// Unknown headers are kept and written back unchanged.
/// </summary>
public sealed class SipHeaders : IReadOnlyList<SipHeader>
{
    private readonly List<SipHeader> _items;

    /// <summary>Creates an empty header list.</summary>
    public SipHeaders()
    {
        _items = [];
    }

    internal SipHeaders(int capacity)
    {
        _items = new List<SipHeader>(capacity);
    }

    /// <summary>Changes with every edit; lets <see cref="SipMessage"/> drop typed values parsed from older contents.</summary>
    internal int Version { get; private set; }

    /// <inheritdoc/>
    public int Count => _items.Count;

    /// <inheritdoc/>
    public SipHeader this[int index] => _items[index];

    /// <summary>True when at least one header named <paramref name="name"/> (long or compact form) is present.</summary>
    public bool Contains(string name) => IndexOf(name, 0) >= 0;

    /// <summary>The first value of <paramref name="name"/>: for list headers the first comma-separated element, otherwise the first line. Null when absent.</summary>
    public string? Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int i = IndexOf(name, 0);
        if (i < 0)
        {
            return null;
        }

        string value = _items[i].Value;
        if (!SipHeaderNames.IsList(name))
        {
            return value;
        }

        int comma = SipGrammar.IndexOfUnquoted(value, ',');
        return comma < 0 ? value : SipGrammar.TrimLws(value.AsSpan(0, comma)).ToString();
    }

    /// <summary>All values of <paramref name="name"/> in order; list headers are split into their elements (empty elements skipped).</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool split = SipHeaderNames.IsList(name);
        List<string>? result = null;
        for (int i = IndexOf(name, 0); i >= 0; i = IndexOf(name, i + 1))
        {
            result ??= [];
            if (split)
            {
                SplitList(_items[i].Value, result, int.MaxValue);
            }
            else
            {
                result.Add(_items[i].Value);
            }
        }

        return result ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The header lines named <paramref name="name"/> without splitting.</summary>
    public IReadOnlyList<string> GetLines(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        List<string>? result = null;
        for (int i = IndexOf(name, 0); i >= 0; i = IndexOf(name, i + 1))
        {
            (result ??= []).Add(_items[i].Value);
        }

        return result ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Appends a header line.</summary>
    public void Add(string name, string value)
    {
        Validate(name, value);
        _items.Add(new SipHeader(name, value));
        Version++;
    }

    /// <summary>Inserts a header line at <paramref name="index"/> (e.g. a proxy's Via on top, RFC 3261 §16.6 step 8).</summary>
    public void Insert(int index, string name, string value)
    {
        Validate(name, value);
        _items.Insert(index, new SipHeader(name, value));
        Version++;
    }

    /// <summary>Replaces every line of <paramref name="name"/> by one line at the place of the first (or at the end).</summary>
    public void Set(string name, string value)
    {
        Validate(name, value);
        int first = IndexOf(name, 0);
        if (first < 0)
        {
            _items.Add(new SipHeader(name, value));
        }
        else
        {
            _items[first] = new SipHeader(_items[first].Name, value);
            for (int i = _items.Count - 1; i > first; i--)
            {
                if (SipHeaderNames.Matches(_items[i].Name, name))
                {
                    _items.RemoveAt(i);
                }
            }
        }

        Version++;
    }

    /// <summary>Removes every line of <paramref name="name"/>; returns how many were removed.</summary>
    public int Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int removed = 0;
        for (int i = _items.Count - 1; i >= 0; i--)
        {
            if (SipHeaderNames.Matches(_items[i].Name, name))
            {
                _items.RemoveAt(i);
                removed++;
            }
        }

        if (removed > 0)
        {
            Version++;
        }

        return removed;
    }

    /// <summary>Replaces the value of the line at <paramref name="index"/>, keeping its name and place.</summary>
    public void SetAt(int index, string value)
    {
        Validate(_items[index].Name, value);
        _items[index] = new SipHeader(_items[index].Name, value);
        Version++;
    }

    /// <summary>Removes the line at <paramref name="index"/>.</summary>
    public void RemoveAt(int index)
    {
        _items.RemoveAt(index);
        Version++;
    }

    /// <summary>A copy of the list (the strings are shared; they are immutable).</summary>
    public SipHeaders Clone()
    {
        var copy = new SipHeaders(_items.Count);
        copy._items.AddRange(_items);
        return copy;
    }

    /// <summary>Index of the first line named <paramref name="name"/> at or after <paramref name="start"/>, or -1.</summary>
    public int IndexOf(string name, int start)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = start; i < _items.Count; i++)
        {
            if (SipHeaderNames.Matches(_items[i].Name, name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc/>
    public List<SipHeader>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<SipHeader> IEnumerable<SipHeader>.GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <summary>Adds a parsed line without re-validating it (the parser has checked it).</summary>
    internal void AddParsed(string name, string value) => _items.Add(new SipHeader(name, value));

    /// <summary>
    /// Splits a list header value at commas outside quoted strings and &lt;&gt; (RFC 3261 §7.3.1), trimming LWS.
    /// Returns the number of empty elements met (",," or a leading/trailing comma), which are not added.
    /// Linear in the length of <paramref name="value"/>; stops after <paramref name="max"/> elements.
    /// </summary>
    internal static int SplitList(string value, List<string> into, int max)
    {
        int empty = 0;
        ReadOnlySpan<char> rest = value;
        int offset = 0;
        while (true)
        {
            int comma = SipGrammar.IndexOfUnquoted(rest, ',');
            ReadOnlySpan<char> element = comma < 0 ? rest : rest[..comma];
            ReadOnlySpan<char> trimmed = SipGrammar.TrimLws(element);
            if (trimmed.IsEmpty)
            {
                empty++;
            }
            else if (into.Count < max)
            {
                into.Add(trimmed.Length == value.Length ? value : trimmed.ToString());
            }
            else
            {
                return empty;
            }

            if (comma < 0)
            {
                return empty;
            }

            offset += comma + 1;
            rest = value.AsSpan(offset);
        }
    }

    private static void Validate(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!SipGrammar.IsToken(name))
        {
            throw new ArgumentException($"\"{name}\" is not a valid header name (RFC 3261 §25.1 token).", nameof(name));
        }

        // A CR or LF in a value would let a caller inject header lines (strict in what we send).
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("Header values must not contain CR or LF.", nameof(value));
        }
    }
}
