using System.Net;

namespace Intercom.Media.Ice;

/// <summary>A local candidate paired with a remote one (RFC 8445 §6.1.2.2), with its check state.</summary>
public sealed class IceCandidatePair
{
    internal IceCandidatePair(IceLocalCandidate local, IceCandidate remote, IPEndPoint remoteEndPoint, ulong priority)
    {
        Local = local;
        Remote = remote;
        RemoteEndPoint = remoteEndPoint;
        Priority = priority;
    }

    /// <summary>Ours: checks leave from its base.</summary>
    public IceLocalCandidate Local { get; }

    /// <summary>The peer's.</summary>
    public IceCandidate Remote { get; }

    /// <summary>Where checks and, once selected, media go.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>RFC 8445 §6.1.2.3: the same number on both sides, so both agents check in the same order.</summary>
    public ulong Priority { get; internal set; }

    /// <summary>RFC 8445 §6.1.2.6: the pair's foundation is the local and the remote foundation together.</summary>
    public string Foundation => Local.Candidate.Foundation + ":" + Remote.Foundation;

    /// <summary>The component both candidates belong to.</summary>
    public int ComponentId => Remote.ComponentId;

    /// <summary>Where the pair is in its checks.</summary>
    public IceCandidatePairState State { get; set; } = IceCandidatePairState.Frozen;

    /// <summary>Chosen for media by the controlling agent (RFC 8445 §8.1.1).</summary>
    public bool Nominated { get; set; }

    /// <summary>
    /// For a valid pair (RFC 8445 §7.2.5.3.2): the check-list pair whose check produced it. Checks, nominations and media
    /// leave from that pair's base towards its remote address. Null for a pair of the check list itself.
    /// </summary>
    public IceCandidatePair? Generating { get; internal set; }

    /// <summary>The controlled agent saw USE-CANDIDATE for this pair before its own check succeeded (RFC 8445 §7.3.1.5).</summary>
    internal bool NominateOnSuccess { get; set; }

    /// <summary>A valid pair whose nomination check failed (RFC 8445 §8.1.1): not nominated again.</summary>
    internal bool NominationFailed { get; set; }

    /// <summary>Queued for a triggered check (RFC 8445 §7.3.1.4).</summary>
    internal bool Triggered { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{IceCandidate.TypeName(Local.Candidate.Type)} {Local.Base} -> {IceCandidate.TypeName(Remote.Type)} {RemoteEndPoint} ({State})";
}
