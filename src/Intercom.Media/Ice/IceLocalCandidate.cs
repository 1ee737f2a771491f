using System.Net;

namespace Intercom.Media.Ice;

/// <summary>
/// A candidate of ours and its base (RFC 8445 §5.1.1): the socket address checks are actually sent from — the host
/// address for host and server-reflexive candidates, the allocation for a relayed one.
/// </summary>
public sealed record IceLocalCandidate(IceCandidate Candidate, IPEndPoint Base)
{
    /// <summary>For a relayed candidate: the allocation its checks and media are sent through; null for the others.</summary>
    public IIceRelay? Relay { get; init; }
}
