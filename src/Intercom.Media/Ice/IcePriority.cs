namespace Intercom.Media.Ice;

/// <summary>The priority arithmetic of RFC 8445: candidates (§5.1.2) and candidate pairs (§6.1.2.3).</summary>
public static class IcePriority
{
    /// <summary>
    /// RFC 8445 §5.1.2.2's recommended type preferences: direct paths first, a TURN relay only when nothing else works.
    /// Peer-reflexive ranks above server-reflexive because it was learned from the peer itself.
    /// </summary>
    public static int TypePreference(IceCandidateType type) => type switch
    {
        IceCandidateType.Host => 126,
        IceCandidateType.PeerReflexive => 110,
        IceCandidateType.ServerReflexive => 100,
        IceCandidateType.Relayed => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>
    /// RFC 8445 §5.1.2.1: priority = 2^24·type preference + 2^8·local preference + (256 − component id).
    /// </summary>
    /// <param name="localPreference">0–65535: how much this base is preferred among the station's interfaces (§5.1.2.2).</param>
    /// <param name="componentId">1 for RTP, 2 for RTCP when not multiplexed (RFC 8445 §4).</param>
    public static uint OfCandidate(IceCandidateType type, int localPreference, int componentId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localPreference);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(localPreference, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(componentId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(componentId, 256);
        return (uint)((TypePreference(type) << 24) + (localPreference << 8) + (256 - componentId));
    }

    /// <summary>
    /// RFC 8445 §6.1.2.3: pair priority = 2^32·MIN(G,D) + 2·MAX(G,D) + (G &gt; D ? 1 : 0), where G is the controlling
    /// agent's candidate priority and D the controlled agent's — both agents order the check list the same way.
    /// </summary>
    public static ulong OfPair(uint controlling, uint controlled)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(controlling, IceCandidate.MaxPriority);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(controlled, IceCandidate.MaxPriority);
        ulong min = Math.Min(controlling, controlled);
        ulong max = Math.Max(controlling, controlled);
        return (min << 32) + (max << 1) + (controlling > controlled ? 1UL : 0UL);
    }
}
