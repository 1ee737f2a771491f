using System.Net;

namespace Intercom.Sip.Transport;

/// <summary>
/// Counts inbound TCP/TLS connections per source address (an IPv6 source by its /64, as the rate limiter keys it) and in
/// all, and refuses one more over either cap. Refusing the newcomer, rather than closing the oldest idle connection to
/// make room, is deliberate: the connections that are idle the longest are the ones worth most — a PBX's or phone's
/// registration flow, which carries the next call and only pings now and then — so evicting them would let anyone who
/// can open connections (from 16 addresses, with the defaults) cut the station off its PBX; refusing leaves every
/// established flow working, and the flows an attacker holds cost it a live address each and close after
/// <see cref="SipTransportOptions.ConnectionIdleTimeout"/> unless it keeps them busy, within its rate. Thread-safe: taken on
/// the accept threads, released on the connections' I/O threads.
/// </summary>
internal sealed class SipConnectionQuota(int perSource, int total)
{
    private readonly Dictionary<(ulong High, ulong Low), int> _perSource = [];
    private readonly Lock _lock = new();
    private int _total;

    public int PerSource => perSource;

    public int Total => total;

    /// <summary>Inbound connections counted now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>Takes a slot for a connection from <paramref name="source"/>, or says which cap refused it.</summary>
    public bool TryAcquire(IPAddress source, out bool perSourceCap)
    {
        var key = SipSourceRateLimiter.Key(source);
        lock (_lock)
        {
            _perSource.TryGetValue(key, out var count);
            perSourceCap = count >= perSource;
            if (perSourceCap || _total >= total)
            {
                return false;
            }

            _perSource[key] = count + 1;
            _total++;
            return true;
        }
    }

    /// <summary>Gives back the slot of a connection that closed.</summary>
    public void Release(IPAddress source)
    {
        var key = SipSourceRateLimiter.Key(source);
        lock (_lock)
        {
            if (!_perSource.TryGetValue(key, out var count))
            {
                return;
            }

            if (count <= 1)
            {
                _perSource.Remove(key);
            }
            else
            {
                _perSource[key] = count - 1;
            }

            _total--;
        }
    }
}
