using Intercom.Sip.Core;

namespace Intercom.Hosting;

/// <summary>
/// The station's liveness as the watchdog sees it: all SIP work runs on one loop, so the station is healthy while that
/// loop still runs what is posted to it. Each check answers whether the probe posted by the previous check has run, and
/// posts the next one; a loop that is stuck (deadlock, endless handler) stops answering and the watchdog starves.
/// </summary>
internal sealed class SipLoopHeartbeat
{
    private readonly SipLoop _loop;
    private int _answered;

    public SipLoopHeartbeat(SipLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        _loop = loop;
        Post();
    }

    /// <summary>True when the loop ran the previous probe; then (either way) a new probe is posted if none is pending.</summary>
    public bool CheckAndProbe()
    {
        if (Interlocked.Exchange(ref _answered, 0) == 0)
        {
            // The previous probe is still queued: do not pile up another one behind a stuck loop.
            return false;
        }

        Post();
        return true;
    }

    private void Post() => _loop.Post(static s => Volatile.Write(ref ((SipLoopHeartbeat)s!)._answered, 1), this);
}
