using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent;

/// <summary>How to place one outgoing call.</summary>
public sealed class DialOptions
{
    /// <summary>Our identity in From (the account's address-of-record and display name).</summary>
    public required SipNameAddress From { get; init; }

    /// <summary>The session description side of the call.</summary>
    public required IOfferAnswer Media { get; init; }

    /// <summary>Outbound proxy (RFC 3261 §8.1.2): put in a Route header, and the request is sent there.</summary>
    public SipUri? OutboundProxy { get; init; }

    /// <summary>
    /// The account's transport: the next hop is located over it only, with no fall-back to another (RFC 3261 §26.2: a
    /// TLS account's INVITE never goes over UDP or TCP). Null: RFC 3263 decides. Whatever this says, an offer with SDES
    /// keys (a=crypto) is sent over TLS or the call fails (RFC 4568 §8.3).
    /// </summary>
    public SipTransportProtocol? Transport { get; init; }

    /// <summary>
    /// Our Contact for the call when it is not the transport's own address: the account's registered Contact, which
    /// behind a NAT holds the public address the registrar's received/rport showed (RFC 3581 §4, RFC 5626 §5), so the
    /// peer's in-dialog requests reach us. Null: the address the transport sends from (§8.1.1.8).
    /// </summary>
    public SipUri? Contact { get; init; }

    /// <summary>
    /// The connection to place the call over, when the target can be reached by nothing else: a browser phone's WebSocket
    /// (RFC 7118 §5, its Contact host a made-up ".invalid" name). The INVITE and every request of its dialog go there,
    /// never to a located host; a closed connection ends the call at once. Null: the next hop is located (RFC 3263).
    /// </summary>
    public SipFlow? Flow { get; init; }

    /// <summary>
    /// Answers a 401/407 challenge by adding credentials to the re-sent request (first argument), given the challenge and
    /// the destination the challenged request went to (the flow it came back over); returns false when it cannot or must
    /// not (no or wrong credentials, a realm or server that is not the account's), and the call then ends with the
    /// challenge status.
    /// </summary>
    public Func<SipRequest, SipResponse, SipDestination, bool>? Authorize { get; init; }
}
