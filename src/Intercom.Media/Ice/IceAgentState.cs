namespace Intercom.Media.Ice;

/// <summary>Where an <see cref="IceAgent"/> is (RFC 8445 §6.1.3 check list states, and RFC 7675 consent).</summary>
public enum IceAgentState
{
    /// <summary>Candidates gathered or being gathered; the peer's are not known yet.</summary>
    New,

    /// <summary>Connectivity checks running; no pair selected yet.</summary>
    Checking,

    /// <summary>A pair is selected (nominated, RFC 8445 §8.1.2) and the peer's consent is fresh.</summary>
    Connected,

    /// <summary>No pair worked, or consent was lost (RFC 7675 §5.1: 30 s without a response): the call should end.</summary>
    Failed,

    /// <summary>Stopped by its owner.</summary>
    Closed,
}
