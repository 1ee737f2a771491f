namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// How a <see cref="HomeRouter"/> maps the inside's UDP sockets to its public address, in RFC 4787's terms (§4.1). Both
/// filter by address and port (§5): a packet from outside reaches a socket only from an endpoint that socket has sent
/// to (Linux conntrack matches the whole 5-tuple), which is what most home routers do.
/// </summary>
public enum NatBehaviour
{
    /// <summary>
    /// Endpoint-independent mapping (RFC 4787 §4.1, REQ-1): one public port per inside socket whatever the destination;
    /// Linux's plain masquerade keeps the inside port when it is free, so the mapping STUN learns is the one every peer sees.
    /// </summary>
    EndpointIndependent,

    /// <summary>
    /// Address- and port-dependent mapping ("symmetric NAT"): a new public port for each destination (masquerade
    /// fully-random), so the mapping STUN learns from its server is useless to any other peer: only a relay (TURN) or
    /// a peer that answers to where packets come from gets through.
    /// </summary>
    Symmetric,
}
