namespace Intercom.Media.Ice;

/// <summary>An agent's role (RFC 8445 §6.1.1): the controlling agent nominates the pair, the controlled one follows.</summary>
public enum IceRole
{
    /// <summary>Nominates (the offerer, unless the peer is lite and we are not: then always us).</summary>
    Controlling,

    /// <summary>Follows the peer's nomination (the answerer).</summary>
    Controlled,
}
