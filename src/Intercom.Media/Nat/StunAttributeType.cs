namespace Intercom.Media.Nat;

/// <summary>
/// STUN attribute types (RFC 8489 §14 and §18.3, RFC 8445 §16.1 for ICE, RFC 8656 §18 for TURN). Types below 0x8000 are
/// comprehension-required: a receiver that does not know one must not act on the message (§6.3.1).
/// </summary>
public enum StunAttributeType : ushort
{
    /// <summary>RFC 8489 §14.1: the reflexive address in the clear (servers older than RFC 5389).</summary>
    MappedAddress = 0x0001,

    /// <summary>RFC 8489 §14.3: the user name of a credential.</summary>
    Username = 0x0006,

    /// <summary>RFC 8489 §14.5: HMAC-SHA1 over the message up to this attribute.</summary>
    MessageIntegrity = 0x0008,

    /// <summary>RFC 8489 §14.8: a numeric error code and a reason phrase.</summary>
    ErrorCode = 0x0009,

    /// <summary>RFC 8489 §14.9: the comprehension-required attributes a 420 response did not understand.</summary>
    UnknownAttributes = 0x000A,

    /// <summary>RFC 8656 §18.1: a TURN channel number (0x4000–0x4FFF).</summary>
    ChannelNumber = 0x000C,

    /// <summary>RFC 8656 §18.2: an allocation's lifetime in seconds.</summary>
    Lifetime = 0x000D,

    /// <summary>RFC 8656 §18.3: a TURN peer's address, XOR-ed as XOR-MAPPED-ADDRESS.</summary>
    XorPeerAddress = 0x0012,

    /// <summary>RFC 8656 §18.4: application data in a Send or Data indication.</summary>
    Data = 0x0013,

    /// <summary>RFC 8489 §14.9: the realm of a long-term credential.</summary>
    Realm = 0x0014,

    /// <summary>RFC 8489 §14.10: the server's nonce of a long-term credential.</summary>
    Nonce = 0x0015,

    /// <summary>RFC 8656 §18.5: the relayed transport address of an allocation.</summary>
    XorRelayedAddress = 0x0016,

    /// <summary>RFC 8656 §18.6: the address family asked for the relayed address.</summary>
    RequestedAddressFamily = 0x0017,

    /// <summary>RFC 8656 §18.8: sets the DF bit toward the peer.</summary>
    DontFragment = 0x001A,

    /// <summary>RFC 8489 §14.2: the reflexive address, XOR-ed with the magic cookie (and the transaction id for IPv6).</summary>
    XorMappedAddress = 0x0020,

    /// <summary>RFC 8656 §18.7: the transport protocol of the allocation (17: UDP).</summary>
    RequestedTransport = 0x0019,

    /// <summary>RFC 8489 §14.6: HMAC-SHA256 over the message up to this attribute (long-term credentials with PASSWORD-ALGORITHMS).</summary>
    MessageIntegritySha256 = 0x001C,

    /// <summary>RFC 8489 §14.12: the password algorithm the client chose from PASSWORD-ALGORITHMS.</summary>
    PasswordAlgorithm = 0x001D,

    /// <summary>RFC 8489 §14.4: SHA-256 of the user name and realm, instead of USERNAME (username anonymity).</summary>
    Userhash = 0x001E,

    /// <summary>RFC 8445 §16.1: the priority of the candidate a check is sent from.</summary>
    Priority = 0x0024,

    /// <summary>RFC 8445 §16.1: the controlling agent nominates this pair.</summary>
    UseCandidate = 0x0025,

    /// <summary>RFC 8656 §18.11: the error of the second address family of a dual allocation.</summary>
    AddressErrorCode = 0x8001,

    /// <summary>RFC 8489 §14.11: the password algorithms the server supports, in its order of preference.</summary>
    PasswordAlgorithms = 0x8002,

    /// <summary>RFC 8489 §14.16: the TLS name of the ALTERNATE-SERVER.</summary>
    AlternateDomain = 0x8003,

    /// <summary>RFC 8656 §18.13: an ICMP error a peer's relayed datagram caused, in a Data indication.</summary>
    Icmp = 0x8004,

    /// <summary>RFC 8489 §14.14: the agent's product name.</summary>
    Software = 0x8022,

    /// <summary>RFC 8489 §14.15: another server the client should use.</summary>
    AlternateServer = 0x8023,

    /// <summary>RFC 8489 §14.7: CRC-32 of the message up to this attribute, XOR 0x5354554E.</summary>
    Fingerprint = 0x8028,

    /// <summary>RFC 8445 §16.1: the sender is the controlled agent (a 64-bit tie-breaker).</summary>
    IceControlled = 0x8029,

    /// <summary>RFC 8445 §16.1: the sender is the controlling agent (a 64-bit tie-breaker).</summary>
    IceControlling = 0x802A,
}
