namespace Intercom.Sip.Messages;

/// <summary>
/// What a UAS (or proxy) must answer to a syntactically valid request, or <see cref="Accept"/> when it may go on.
/// <see cref="Unsupported"/> lists the option tags for a 420's Unsupported header (RFC 3261 §8.2.2.3).
/// </summary>
public sealed record SipValidationResult(int StatusCode, string Reason, IReadOnlyList<string> Unsupported)
{
    /// <summary>The request may be processed.</summary>
    public static SipValidationResult Accept { get; } = new(0, string.Empty, []);

    /// <summary>True when the request may be processed.</summary>
    public bool IsAccepted => StatusCode == 0;

    internal static SipValidationResult Reject(int status, string reason) => new(status, reason, []);
}
