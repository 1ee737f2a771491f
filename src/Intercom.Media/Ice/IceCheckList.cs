using System.Net;
using System.Net.Sockets;

namespace Intercom.Media.Ice;

/// <summary>
/// The ordered list of candidate pairs of one data stream (RFC 8445 §6.1.2): formed from our candidates and the
/// peer's, pruned, bounded and given their initial states. The agent then checks them in this order.
/// </summary>
public sealed class IceCheckList
{
    /// <summary>RFC 8445 §6.1.2.5's default limit on pairs: it bounds what a peer with many candidates makes us check.</summary>
    public const int DefaultMaxPairs = 100;

    private readonly List<IceCandidatePair> _pairs;

    private IceCheckList(List<IceCandidatePair> pairs) => _pairs = pairs;

    /// <summary>The pairs, highest priority first.</summary>
    public IReadOnlyList<IceCandidatePair> Pairs => _pairs;

    /// <summary>
    /// Forms the check list. Remote candidates that are not UDP or whose address is a name not yet resolved (an mDNS
    /// `.local` name) are left out; the caller adds them again once resolved.
    /// </summary>
    /// <param name="controlling">Whether we are the controlling agent (RFC 8445 §6.1.1): it decides G and D in the pair priority.</param>
    public static IceCheckList Form(IReadOnlyList<IceLocalCandidate> locals, IReadOnlyList<IceCandidate> remotes, bool controlling,
        int maxPairs = DefaultMaxPairs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPairs, 1);
        var pairs = new List<IceCandidatePair>();
        foreach (IceLocalCandidate local in locals)
        {
            foreach (IceCandidate remote in remotes)
            {
                if (remote.Address is not { } remoteAddress || !remote.IsUdp || !local.Candidate.IsUdp
                    || remote.ComponentId != local.Candidate.ComponentId || !Pairable(local.Base.Address, remoteAddress))
                {
                    continue;
                }

                uint ours = local.Candidate.Priority;
                uint theirs = remote.Priority;
                ulong priority = controlling ? IcePriority.OfPair(ours, theirs) : IcePriority.OfPair(theirs, ours);

                // RFC 8445 §6.1.2.4: a server-reflexive candidate is checked from its base, so it pairs as the base does.
                IceLocalCandidate checkedFrom = local.Candidate.Type == IceCandidateType.ServerReflexive ? AsHost(local) : local;
                pairs.Add(new IceCandidatePair(checkedFrom, remote, new IPEndPoint(remoteAddress, remote.Port), priority));
            }
        }

        pairs.Sort(ByPriority);
        var kept = new List<IceCandidatePair>(Math.Min(pairs.Count, maxPairs));
        var seen = new HashSet<(IPEndPoint Base, IPEndPoint Remote)>();
        foreach (IceCandidatePair pair in pairs)
        {
            // RFC 8445 §6.1.2.4: of pairs with the same base and the same remote candidate only the highest is kept.
            if (seen.Add((pair.Local.Base, pair.RemoteEndPoint)) && kept.Count < maxPairs)
            {
                kept.Add(pair);
            }
        }

        SetInitialStates(kept);
        return new IceCheckList(kept);
    }

    /// <summary>The pair checked from <paramref name="localBase"/> to <paramref name="remote"/>, or null.</summary>
    public IceCandidatePair? Find(IPEndPoint localBase, IPEndPoint remote)
    {
        foreach (IceCandidatePair pair in _pairs)
        {
            if (pair.RemoteEndPoint.Equals(remote) && pair.Local.Base.Equals(localBase))
            {
                return pair;
            }
        }

        return null;
    }

    /// <summary>
    /// Adds a pair learned from a peer's check (RFC 8445 §7.3.1.4) in priority order; false when the list is full
    /// (§6.1.2.5's limit holds for these too, so a peer cannot grow it without end).
    /// </summary>
    internal bool Add(IceCandidatePair pair, int maxPairs)
    {
        if (_pairs.Count >= maxPairs)
        {
            return false;
        }

        int index = 0;
        while (index < _pairs.Count && ByPriority(_pairs[index], pair) <= 0)
        {
            index++;
        }

        _pairs.Insert(index, pair);
        return true;
    }

    /// <summary>After a role switch (RFC 8445 §7.2.5.1): every pair's priority again with G and D swapped, and the order with it.</summary>
    internal void Reprioritise(bool controlling)
    {
        foreach (IceCandidatePair pair in _pairs)
        {
            pair.Priority = PairPriority(pair.Local.Candidate.Priority, pair.Remote.Priority, controlling);
        }

        _pairs.Sort(ByPriority);
    }

    /// <summary>RFC 8445 §6.1.2.3 from our side: G is the controlling agent's candidate priority, D the controlled one's.</summary>
    internal static ulong PairPriority(uint local, uint remote, bool controlling) =>
        controlling ? IcePriority.OfPair(local, remote) : IcePriority.OfPair(remote, local);

    /// <summary>Highest priority first; ties broken by the endpoints so that the order does not depend on input order.</summary>
    internal static int ByPriority(IceCandidatePair a, IceCandidatePair b)
    {
        int byPriority = b.Priority.CompareTo(a.Priority);
        return byPriority != 0 ? byPriority : string.CompareOrdinal(a.ToString(), b.ToString());
    }

    /// <summary>The highest-priority pair in <paramref name="state"/>, or null.</summary>
    public IceCandidatePair? First(IceCandidatePairState state)
    {
        foreach (IceCandidatePair pair in _pairs)
        {
            if (pair.State == state)
            {
                return pair;
            }
        }

        return null;
    }

    /// <summary>
    /// RFC 8445 §6.1.2.6: every pair starts frozen; for each foundation the pair with the lowest component id, then the
    /// highest priority, is set waiting — one check per foundation first, the rest follow when it succeeds.
    /// </summary>
    private static void SetInitialStates(List<IceCandidatePair> pairs)
    {
        var first = new Dictionary<string, IceCandidatePair>(StringComparer.Ordinal);
        foreach (IceCandidatePair pair in pairs)
        {
            if (!first.TryGetValue(pair.Foundation, out IceCandidatePair? best) || pair.ComponentId < best.ComponentId)
            {
                first[pair.Foundation] = pair;
            }
        }

        foreach (IceCandidatePair pair in first.Values)
        {
            pair.State = IceCandidatePairState.Waiting;
        }
    }

    /// <summary>RFC 8445 §6.1.2.2: same address family; an IPv6 link-local address pairs only with another link-local one.</summary>
    private static bool Pairable(IPAddress local, IPAddress remote)
    {
        if (local.AddressFamily != remote.AddressFamily)
        {
            return false;
        }

        return local.AddressFamily != AddressFamily.InterNetworkV6 || local.IsIPv6LinkLocal == remote.IsIPv6LinkLocal;
    }

    private static IceLocalCandidate AsHost(IceLocalCandidate reflexive)
    {
        IceCandidate c = reflexive.Candidate;
        var host = new IceCandidate
        {
            Foundation = c.Foundation,
            ComponentId = c.ComponentId,
            Transport = c.Transport,
            Priority = c.Priority,
            ConnectionAddress = reflexive.Base.Address.ToString(),
            Address = reflexive.Base.Address,
            Port = reflexive.Base.Port,
            Type = IceCandidateType.Host,
        };
        return reflexive with { Candidate = host };
    }
}
