namespace Intercom.Media.Sdp;

/// <summary>
/// Outcome of answering an offer or applying an answer. On failure <see cref="StatusCode"/> is the SIP response the user
/// agent should send for an offer (400 unparseable, 488 nothing acceptable: RFC 3261 §13.3.1.1) and <see cref="Error"/>
/// says why, for the log and the Warning header.
/// </summary>
public sealed record OfferAnswerResult(bool Succeeded, string? Sdp, int StatusCode, string? Error)
{
    /// <summary>A success carrying the SDP to send (null after applying an answer).</summary>
    public static OfferAnswerResult Success(string? sdp) => new(true, sdp, 200, null);

    /// <summary>A failure.</summary>
    public static OfferAnswerResult Failure(int statusCode, string error) => new(false, null, statusCode, error);
}
