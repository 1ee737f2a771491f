namespace Intercom.Configuration;

/// <summary>How an account gets through NATs between the station and its registrar (accounts[].nat).</summary>
public sealed class SipAccountNatConfig
{
    /// <summary>
    /// SIP outbound (RFC 5626): true offers it in every REGISTER (+sip.instance, reg-id, Supported: outbound) and uses it
    /// when the registrar takes it (Require: outbound in its 2xx): calls then reach the station over the connection it
    /// registered on, and a failed connection is registered again at once. False never offers it.
    /// </summary>
    public bool Outbound { get; set; } = true;
}
