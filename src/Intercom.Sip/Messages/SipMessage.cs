using System.Globalization;

namespace Intercom.Sip.Messages;

/// <summary>
/// A SIP request or response (RFC 3261 §7): start line, header fields and body. Typed views of the headers the
/// stack uses (Via, From, To, Call-ID, CSeq, ...) are parsed on first use and cached until the headers change;
/// the parser fills that cache as it validates, so a received message is never parsed twice.
/// The typed values are read-only views: changing one (say <c>To.Tag</c>) does not change the message; change
/// the header through <see cref="Headers"/> (e.g. <c>Headers.Set("To", to.ToString())</c>) or <see cref="SetTopVia"/>.
/// Like all SIP state, a message belongs to the SIP loop's thread (DESIGN.md "Threading").
/// </summary>
public abstract class SipMessage
{
    /// <summary>The only protocol version this stack speaks (RFC 3261 §7.1).</summary>
    public const string SipVersion = "SIP/2.0";

    private const int ViasBit = 1, FromBit = 2, ToBit = 4, CSeqBit = 8, ContactsBit = 16, RecordRoutesBit = 32, RoutesBit = 64;

    private int _cacheVersion;
    private int _loaded;
    private IReadOnlyList<SipVia> _vias = [];
    private SipNameAddress? _from;
    private SipNameAddress? _to;
    private SipCSeq? _cseq;
    private IReadOnlyList<SipNameAddress> _contacts = [];
    private IReadOnlyList<SipNameAddress> _recordRoutes = [];
    private IReadOnlyList<SipNameAddress> _routes = [];

    /// <summary>Creates a message with the given headers and body.</summary>
    protected SipMessage(SipHeaders? headers, ReadOnlyMemory<byte> body)
    {
        Headers = headers ?? new SipHeaders();
        _cacheVersion = Headers.Version;
        Body = body;
    }

    /// <summary>All header fields, in order.</summary>
    public SipHeaders Headers { get; }

    /// <summary>The message body (Content-Length is derived from it when writing).</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>All Via elements, topmost first (RFC 3261 §20.42).</summary>
    public IReadOnlyList<SipVia> Vias
    {
        get
        {
            if (!IsLoaded(ViasBit))
            {
                _vias = ParseList(SipHeaderNames.Via, static (string s, out SipVia? v) => SipVia.TryParse(s, out v));
            }

            return _vias;
        }
    }

    /// <summary>The topmost Via, which names the transaction (RFC 3261 §17.2.3); null when absent.</summary>
    public SipVia? TopVia => Vias.Count > 0 ? Vias[0] : null;

    /// <summary>
    /// Rewrites the topmost Via element, e.g. after a server added received and rport (RFC 3261 §18.2.1, RFC 3581 §4);
    /// other elements on the same line and other Via lines stay as they are. Adds a Via when there is none.
    /// </summary>
    public void SetTopVia(SipVia via)
    {
        ArgumentNullException.ThrowIfNull(via);
        int i = Headers.IndexOf(SipHeaderNames.Via, 0);
        if (i < 0)
        {
            Headers.Insert(0, SipHeaderNames.Via, via.ToString());
            return;
        }

        string line = Headers[i].Value;
        int comma = SipGrammar.IndexOfUnquoted(line, ',');
        Headers.SetAt(i, comma < 0 ? via.ToString() : string.Concat(via.ToString(), line.AsSpan(comma)));
    }

    /// <summary>The From header (RFC 3261 §20.20).</summary>
    public SipNameAddress? From
    {
        get
        {
            if (!IsLoaded(FromBit))
            {
                _from = ParseAddress(SipHeaderNames.From);
            }

            return _from;
        }
    }

    /// <summary>The To header (RFC 3261 §20.39).</summary>
    public SipNameAddress? To
    {
        get
        {
            if (!IsLoaded(ToBit))
            {
                _to = ParseAddress(SipHeaderNames.To);
            }

            return _to;
        }
    }

    /// <summary>The Call-ID (RFC 3261 §20.8), compared case-sensitively.</summary>
    public string? CallId => Headers.Get(SipHeaderNames.CallId);

    /// <summary>The CSeq (RFC 3261 §20.16).</summary>
    public SipCSeq? CSeq
    {
        get
        {
            if (!IsLoaded(CSeqBit))
            {
                _cseq = Headers.Get(SipHeaderNames.CSeq) is { } v && SipCSeq.TryParse(v, out SipCSeq? c, out _) ? c : null;
            }

            return _cseq;
        }
    }

    /// <summary>Max-Forwards (RFC 3261 §20.22), or null when absent or not a number 0–255.</summary>
    public int? MaxForwards => ParseInt(Headers.Get(SipHeaderNames.MaxForwards), 255) is long m ? (int)m : null;

    /// <summary>Contact addresses (RFC 3261 §20.10); empty for the "*" wildcard, see <see cref="IsContactWildcard"/>.</summary>
    public IReadOnlyList<SipNameAddress> Contacts
    {
        get
        {
            if (!IsLoaded(ContactsBit))
            {
                _contacts = IsContactWildcard ? [] : ParseList(SipHeaderNames.Contact, static (string s, out SipNameAddress? a) => SipNameAddress.TryParse(s, out a));
            }

            return _contacts;
        }
    }

    /// <summary>True for "Contact: *" (REGISTER removing all bindings, RFC 3261 §10.2.2).</summary>
    public bool IsContactWildcard => Headers.Get(SipHeaderNames.Contact) is { } c && c.AsSpan().Trim().SequenceEqual("*");

    /// <summary>Record-Route addresses (RFC 3261 §20.30), topmost first.</summary>
    public IReadOnlyList<SipNameAddress> RecordRoutes
    {
        get
        {
            if (!IsLoaded(RecordRoutesBit))
            {
                _recordRoutes = ParseList(SipHeaderNames.RecordRoute, static (string s, out SipNameAddress? a) => SipNameAddress.TryParse(s, out a));
            }

            return _recordRoutes;
        }
    }

    /// <summary>Route addresses (RFC 3261 §20.34), topmost first.</summary>
    public IReadOnlyList<SipNameAddress> Routes
    {
        get
        {
            if (!IsLoaded(RoutesBit))
            {
                _routes = ParseList(SipHeaderNames.Route, static (string s, out SipNameAddress? a) => SipNameAddress.TryParse(s, out a));
            }

            return _routes;
        }
    }

    /// <summary>The Content-Type value (RFC 3261 §20.15), e.g. "application/sdp"; null when absent.</summary>
    public string? ContentType => Headers.Get(SipHeaderNames.ContentType);

    /// <summary>Expires in seconds (RFC 3261 §20.19), or null when absent or not a number.</summary>
    public uint? Expires => ParseInt(Headers.Get(SipHeaderNames.Expires), uint.MaxValue) is long e ? (uint)e : null;

    /// <summary>The Content-Length header as received, or null.</summary>
    public int? ContentLength => ParseInt(Headers.Get(SipHeaderNames.ContentLength), int.MaxValue) is long l ? (int)l : null;

    internal delegate bool ElementParser<T>(string text, out T? value);

    /// <summary>Stores typed values the parser has already produced, so accessors do not parse again.</summary>
    internal void SetParsed(IReadOnlyList<SipVia> vias, SipNameAddress? from, SipNameAddress? to, SipCSeq? cseq,
        IReadOnlyList<SipNameAddress> contacts, IReadOnlyList<SipNameAddress> recordRoutes, IReadOnlyList<SipNameAddress> routes)
    {
        _cacheVersion = Headers.Version;
        _vias = vias;
        _from = from;
        _to = to;
        _cseq = cseq;
        _contacts = contacts;
        _recordRoutes = recordRoutes;
        _routes = routes;
        _loaded = ViasBit | FromBit | ToBit | CSeqBit | ContactsBit | RecordRoutesBit | RoutesBit;
    }

    private bool IsLoaded(int bit)
    {
        if (_cacheVersion != Headers.Version)
        {
            _cacheVersion = Headers.Version;
            _loaded = 0;
        }

        bool loaded = (_loaded & bit) != 0;
        _loaded |= bit;
        return loaded;
    }

    private SipNameAddress? ParseAddress(string name) =>
        Headers.Get(name) is { } v && SipNameAddress.TryParse(v, out SipNameAddress? a) ? a : null;

    private List<T> ParseList<T>(string name, ElementParser<T> parse)
        where T : class
    {
        var result = new List<T>();
        foreach (string element in Headers.GetAll(name))
        {
            if (parse(element, out T? value) && value is not null)
            {
                result.Add(value);
            }
        }

        return result;
    }

    private static long? ParseInt(string? value, long max)
    {
        if (value is null)
        {
            return null;
        }

        ReadOnlySpan<char> s = value.AsSpan().Trim();
        return s.Length is > 0 and <= 10 && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n <= max ? n : null;
    }
}
