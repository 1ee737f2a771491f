namespace Intercom.Sip.UserAgent;

/// <summary>
/// The result of one offer/answer step: the answer to send (when answering), whether the peer has put us on hold
/// (its direction is sendonly or inactive, RFC 3264 §8.4), or why the description was refused.
/// </summary>
public readonly record struct OfferAnswerOutcome(bool Success, string? Answer, bool PeerHolds, string? Error)
{
    public static OfferAnswerOutcome Accepted(string? answer, bool peerHolds) => new(true, answer, peerHolds, null);

    public static OfferAnswerOutcome Refused(string error) => new(false, null, false, error);
}
