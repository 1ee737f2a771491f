namespace Intercom.Web;

/// <summary>One SIP account on the status page.</summary>
/// <param name="Id">The account's id in the configuration.</param>
/// <param name="Aor">Its address-of-record.</param>
/// <param name="Registration">Registration state ("Registered", "Retrying", ...; "NotRegistering" for direct IP accounts).</param>
/// <param name="Reason">The last outcome in words ("200 OK", "408 no answer from ...").</param>
/// <param name="SipPublicAddress">
/// The Contact's host:port the registration holds (behind a NAT: what the registrar's received/rport showed), or null.
/// </param>
/// <param name="MediaPublicAddress">The public address:port STUN mapped the account's last call's RTP socket to (accounts[].nat.stun), or null.</param>
/// <param name="Outbound">True while registered with SIP outbound in use (RFC 5626: the registrar said Require: outbound).</param>
/// <param name="IceSelectedPair">
/// The candidate pair ICE selected for the account's last call, ours then the peer's with their types
/// ("srflx 198.51.100.1:10304 -> srflx 198.51.100.2:40000"), or null (no ICE, or none selected yet).
/// </param>
public sealed record AccountView(string Id, string Aor, string Registration, string Reason, string? SipPublicAddress = null, string? MediaPublicAddress = null,
    bool Outbound = false, string? IceSelectedPair = null);
