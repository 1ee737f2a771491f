namespace Intercom.Configuration;

/// <summary>How one account's calls get through a NAT (accounts[].nat).</summary>
public sealed class SipAccountNatConfig
{
    /// <summary>
    /// STUN servers (RFC 7064 URIs, "stun:HOST[:PORT]", port 3478 by default), asked in order for the public address of
    /// each call's RTP socket, which then goes in the call's SDP (RFC 8489). Empty: the SDP carries the local address.
    /// </summary>
    public List<string> Stun { get; set; } = [];
}
