namespace Intercom.Configuration;

/// <summary>How one account gets through a NAT (accounts[].nat): its calls' media (STUN) and its registration (outbound).</summary>
public sealed class SipAccountNatConfig
{
    /// <summary>
    /// STUN servers (RFC 7064 URIs, "stun:HOST[:PORT]", port 3478 by default), asked in order for the public address of
    /// each call's RTP socket, which then goes in the call's SDP (RFC 8489). Empty: the SDP carries the local address.
    /// </summary>
    public List<string> Stun { get; set; } = [];

    /// <summary>
    /// SIP outbound (RFC 5626): true offers it in every REGISTER (+sip.instance, reg-id, Supported: outbound) and uses it
    /// when the registrar takes it (Require: outbound in its 2xx): calls then reach the station over the connection it
    /// registered on, and a failed connection is registered again at once. False never offers it.
    /// </summary>
    public bool Outbound { get; set; } = true;

    /// <summary>
    /// ICE (RFC 8445, RFC 8839 in the SDP) for the account's calls, where a STUN server is set: the calls offer host and
    /// server-reflexive candidates, check them with a peer that does ICE too and send media on the pair that works (a
    /// peer without ICE gets plain SDP), and a relayed one when <see cref="Turn"/> names servers. False: STUN only, the
    /// public address in c= and m=, and no relay. Without a STUN or TURN server it has no effect.
    /// </summary>
    public bool Ice { get; set; } = true;

    /// <summary>A TURN relay for the account's calls (RFC 8656): servers, username and a write-only password.</summary>
    public SipAccountTurnConfig Turn { get; set; } = new();
}
