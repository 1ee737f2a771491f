using Intercom.Sip.Messages;

namespace Intercom.Calls;

/// <summary>The identity and route the station's outgoing calls use: one SIP account.</summary>
public sealed class CallAccount
{
    public required SipNameAddress Identity { get; init; }

    /// <summary>The domain extensions are dialled on ("12" → sip:12@domain).</summary>
    public required string Domain { get; init; }

    public SipUri? OutboundProxy { get; init; }

    /// <summary>Answers 401/407 challenges for this account (digest credentials).</summary>
    public Func<SipRequest, SipResponse, bool>? Authorize { get; init; }
}
