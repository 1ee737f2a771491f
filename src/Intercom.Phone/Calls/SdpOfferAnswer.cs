using Intercom.Media.Sdp;
using Intercom.Sip.UserAgent;

namespace Intercom.Phone;

/// <summary>
/// Joins the two sibling layers: the SIP call's offer/answer interface, implemented by the media layer's SDP negotiator.
/// One per call; <see cref="MediaChanged"/> tells the RTP side what each completed exchange agreed.
/// </summary>
public sealed class SdpOfferAnswer(SdpNegotiator negotiator) : IOfferAnswer
{
    public SdpNegotiator Negotiator { get; } = negotiator ?? throw new ArgumentNullException(nameof(negotiator));

    /// <summary>Raised after each completed offer/answer exchange with what it agreed.</summary>
    public event Action<NegotiatedMedia>? MediaChanged;

    public string CreateOffer(bool hold)
    {
        if (hold)
        {
            Negotiator.Hold();
        }
        else
        {
            Negotiator.Resume();
        }

        return Negotiator.CreateOffer();
    }

    public OfferAnswerOutcome AnswerOffer(string offer)
    {
        var result = Negotiator.CreateAnswer(offer);
        return Completed(result, result.Sdp);
    }

    public OfferAnswerOutcome ApplyAnswer(string answer) => Completed(Negotiator.ApplyAnswer(answer), null);

    private OfferAnswerOutcome Completed(OfferAnswerResult result, string? answer)
    {
        if (!result.Succeeded)
        {
            return OfferAnswerOutcome.Refused(result.Error ?? $"offer/answer failed ({result.StatusCode})");
        }

        var media = Negotiator.Media;
        if (media is not null)
        {
            MediaChanged?.Invoke(media);
        }

        // RFC 3264 §8.4: a peer that holds us stops receiving (it offers sendonly or inactive), so the agreement leaves us
        // nothing to send; when we asked for the hold ourselves it is ours, not the peer's.
        var peerHolds = media is not null && !Negotiator.IsOnHold && (media.Direction & MediaDirection.SendOnly) == 0;
        return OfferAnswerOutcome.Accepted(answer, peerHolds);
    }
}
