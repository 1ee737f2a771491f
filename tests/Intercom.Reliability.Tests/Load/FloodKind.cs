namespace Intercom.Reliability.Tests.Load;

/// <summary>What a <see cref="SipFlood"/> sends.</summary>
public enum FloodKind
{
    /// <summary>OPTIONS pings, each a new transaction.</summary>
    Options,

    /// <summary>REGISTER-shaped junk: a REGISTER start line over missing, duplicated or garbled headers.</summary>
    RegisterJunk,

    /// <summary>INVITEs with SDP from a caller not on the allowlist, each a new call.</summary>
    Invite,
}
