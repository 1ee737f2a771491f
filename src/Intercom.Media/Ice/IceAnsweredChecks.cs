using System.Net;

namespace Intercom.Media.Ice;

/// <summary>
/// Which of our candidates each of the peer's addresses reached with a check we answered with success (RFC 8445
/// §7.3.1.4): from the peer's side, the pairs our answers made valid for it (§7.2.5.3.2), which it may select and name in
/// a re-offer before its nominating check reaches us. Written on the agent's queue before the answer leaves, read from
/// any thread; bounded, as only checks that passed MESSAGE-INTEGRITY are recorded.
/// </summary>
public sealed class IceAnsweredChecks
{
    private const int MaxEntries = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<IPEndPoint, IceLocalCandidate> _highest = [];

    /// <summary>A check from <paramref name="source"/> that came in on <paramref name="receivedOn"/> is being answered.</summary>
    public void Record(IPEndPoint source, IceLocalCandidate receivedOn)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(receivedOn);
        lock (_gate)
        {
            if (_highest.TryGetValue(source, out IceLocalCandidate? known))
            {
                if (receivedOn.Candidate.Priority > known.Candidate.Priority)
                {
                    _highest[source] = receivedOn;
                }
            }
            else if (_highest.Count < MaxEntries)
            {
                _highest.Add(source, receivedOn);
            }
        }
    }

    /// <summary>
    /// Of our candidates that answered a check from <paramref name="peer"/>, the one of highest priority: for a given
    /// candidate of the peer's, its pair with that one has the highest pair priority (§6.1.2.3), so it is the pair the peer
    /// selects among those. Null when none did.
    /// </summary>
    public IceLocalCandidate? HighestAnswering(IPEndPoint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (_gate)
        {
            return _highest.GetValueOrDefault(peer);
        }
    }
}
