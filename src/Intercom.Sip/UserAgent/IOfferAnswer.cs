namespace Intercom.Sip.UserAgent;

/// <summary>
/// The SDP offer/answer model (RFC 3264) as the SIP layer sees it: text in, text out. The media layer implements it (one
/// instance per call); SIP only decides when an offer or answer is due, per RFC 3261 §13.2.1 and RFC 6337.
/// </summary>
public interface IOfferAnswer
{
    /// <summary>An offer for an INVITE, re-INVITE or UPDATE; <paramref name="hold"/> makes it sendonly (RFC 3264 §8.4).</summary>
    string CreateOffer(bool hold);

    /// <summary>Answers the peer's offer; a failed outcome (no common codec...) is turned into 488 by the caller.</summary>
    OfferAnswerOutcome AnswerOffer(string offer);

    /// <summary>Applies the peer's answer to our last offer.</summary>
    OfferAnswerOutcome ApplyAnswer(string answer);
}
