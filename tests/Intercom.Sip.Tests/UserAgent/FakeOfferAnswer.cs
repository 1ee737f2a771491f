using Intercom.Sip.UserAgent;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>A stand-in for the media layer: fixed descriptions, and "a=sendonly" in an offer means the peer holds.</summary>
internal sealed class FakeOfferAnswer : IOfferAnswer
{
    public List<string> AppliedAnswers { get; } = [];

    public List<string> AnsweredOffers { get; } = [];

    public bool RefuseOffers { get; set; }

    public string CreateOffer(bool hold) => $"v=0\r\nm=audio 4000 RTP/AVP 0\r\na={(hold ? "sendonly" : "sendrecv")}\r\n";

    public OfferAnswerOutcome AnswerOffer(string offer)
    {
        AnsweredOffers.Add(offer);
        if (RefuseOffers)
        {
            return OfferAnswerOutcome.Refused("no common codec");
        }

        var holds = offer.Contains("a=sendonly", StringComparison.Ordinal) || offer.Contains("a=inactive", StringComparison.Ordinal);
        return OfferAnswerOutcome.Accepted($"v=0\r\nm=audio 4002 RTP/AVP 0\r\na={(holds ? "recvonly" : "sendrecv")}\r\n", holds);
    }

    public OfferAnswerOutcome ApplyAnswer(string answer)
    {
        AppliedAnswers.Add(answer);
        return OfferAnswerOutcome.Accepted(null, false);
    }
}
