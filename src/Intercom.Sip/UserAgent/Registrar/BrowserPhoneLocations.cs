using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent.Registrar;

/// <summary>
/// The location service of browser phones (RFC 3261 §10.3, in memory only): who registered over a WebSocket, and where
/// to reach them (that WebSocket). Bounded in all and per connection, since any page that authenticated may register.
/// A binding is dead once its Expires ran out or its connection closed, whether or not it was pruned yet. The table is
/// changed on the SIP loop only; readers on other threads (the station's ring group) get an immutable snapshot.
/// </summary>
public sealed class BrowserPhoneLocations
{
    /// <summary>Bindings in all, by default.</summary>
    public const int DefaultMaxBindings = 16;

    /// <summary>Bindings one WebSocket connection may hold (a page registers one Contact; a refresh replaces it).</summary>
    public const int MaxPerConnection = 2;

    /// <summary>The longest registration granted (§10.3 step 7: the registrar may shorten the interval asked for).</summary>
    public static readonly TimeSpan MaxExpires = TimeSpan.FromHours(1);

    private readonly TimeProvider _time;
    private readonly int _maxBindings;
    private volatile BrowserPhoneBinding[] _bindings = [];

    /// <param name="time">The clock Expires counts on.</param>
    /// <param name="maxBindings">Bindings in all.</param>
    public BrowserPhoneLocations(TimeProvider time, int maxBindings = DefaultMaxBindings)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBindings, 1);
        _time = time;
        _maxBindings = maxBindings;
    }

    /// <summary>The live bindings now (any thread).</summary>
    public int Count => Find(null).Count;

    /// <summary>
    /// The live bindings of <paramref name="name"/> (ordinal), or of everyone when null, oldest first. Any thread: reads a
    /// snapshot.
    /// </summary>
    public IReadOnlyList<BrowserPhoneBinding> Find(string? name)
    {
        var now = _time.GetUtcNow();
        var found = new List<BrowserPhoneBinding>();
        foreach (var binding in _bindings)
        {
            if (binding.IsLive(now) && (name is null || string.Equals(binding.Name, name, StringComparison.Ordinal)))
            {
                found.Add(binding);
            }
        }

        return found;
    }

    /// <summary>The live bindings on <paramref name="flow"/>'s connection (the 200 to a REGISTER lists them, §10.3 step 8).</summary>
    internal IReadOnlyList<BrowserPhoneBinding> On(SipFlow flow)
    {
        var now = _time.GetUtcNow();
        return [.. _bindings.Where(b => b.IsOn(flow) && b.IsLive(now))];
    }

    /// <summary>
    /// Adds or refreshes (same connection, same Contact URI, §10.3 step 7) the binding of <paramref name="contact"/> for
    /// <paramref name="expires"/>, at most <see cref="MaxExpires"/>. False when the table or the connection's share is full.
    /// On the SIP loop.
    /// </summary>
    internal bool Bind(string name, SipNameAddress contact, SipFlow flow, TimeSpan expires, string callId, uint cseq)
    {
        var now = _time.GetUtcNow();
        var kept = Live(now);
        var index = kept.FindIndex(b => b.IsOn(flow) && SameUri(b.Contact.Uri, contact.Uri));
        if (index >= 0)
        {
            kept.RemoveAt(index);
        }
        else if (kept.Count >= _maxBindings || kept.Count(b => b.IsOn(flow)) >= MaxPerConnection)
        {
            return false;
        }

        var granted = expires > MaxExpires ? MaxExpires : expires;
        kept.Add(new BrowserPhoneBinding(name, contact.Clone(), flow, now + granted, callId, cseq));
        _bindings = [.. kept];
        return true;
    }

    /// <summary>
    /// True when a live binding on <paramref name="flow"/>'s connection — of <paramref name="contact"/>, or any when null
    /// ("Contact: *") — was written by a REGISTER of the same Call-ID with a CSeq at least <paramref name="cseq"/>: the
    /// request is out of order and must change nothing (RFC 3261 §10.3 steps 6–7).
    /// </summary>
    internal bool IsOutOfOrder(SipUri? contact, SipFlow flow, string callId, uint cseq)
    {
        var now = _time.GetUtcNow();
        return _bindings.Any(b => b.IsLive(now) && b.IsOn(flow) && (contact is null || SameUri(b.Contact.Uri, contact)) && b.IsNewerThan(callId, cseq));
    }

    /// <summary>Removes the binding of <paramref name="contact"/> on <paramref name="flow"/>'s connection (Expires 0). On the SIP loop.</summary>
    internal void Unbind(SipUri contact, SipFlow flow)
    {
        var kept = Live(_time.GetUtcNow());
        kept.RemoveAll(b => b.IsOn(flow) && SameUri(b.Contact.Uri, contact));
        _bindings = [.. kept];
    }

    /// <summary>Removes every binding on <paramref name="flow"/>'s connection ("Contact: *", Expires 0, §10.2.2). On the SIP loop.</summary>
    internal void UnbindAll(SipFlow flow)
    {
        var kept = Live(_time.GetUtcNow());
        kept.RemoveAll(b => b.IsOn(flow));
        _bindings = [.. kept];
    }

    private List<BrowserPhoneBinding> Live(DateTimeOffset now) => [.. _bindings.Where(b => b.IsLive(now))];

    // §10.3 step 6 compares Contact URIs by §19.1.4; the same client refreshing sends the same text, so a
    // case-insensitive comparison of the whole URI is what matters here (a different spelling only costs a second slot).
    private static bool SameUri(SipUri a, SipUri b) => string.Equals(a.ToString(), b.ToString(), StringComparison.OrdinalIgnoreCase);
}
