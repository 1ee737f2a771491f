using Intercom.Sip.Messages;

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
    /// Answers a 401/407 challenge by adding credentials to the re-sent request; returns false when it cannot (no or wrong
    /// credentials), and the call then ends with the challenge status.
    /// </summary>
    public Func<SipRequest, SipResponse, bool>? Authorize { get; init; }
}
