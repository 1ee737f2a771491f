namespace Intercom.Media.Ice;

/// <summary>Where a candidate's address came from (RFC 8445 §5.1.1; `typ` in RFC 8839 §5.1).</summary>
public enum IceCandidateType
{
    /// <summary>An address of one of the station's own interfaces (`host`).</summary>
    Host,

    /// <summary>The public mapping a STUN server saw (`srflx`).</summary>
    ServerReflexive,

    /// <summary>An address learned from a peer's connectivity check (`prflx`, RFC 8445 §7.2.5.3.1).</summary>
    PeerReflexive,

    /// <summary>An address allocated on a TURN server (`relay`).</summary>
    Relayed,
}
