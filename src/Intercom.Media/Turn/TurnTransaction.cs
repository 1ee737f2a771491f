using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>
/// One request waiting for its response: matched by the random transaction id (RFC 8489 §6.3) and the method, and, when
/// the request was signed, accepted only with a response signed by the same key (§9.2.5).
/// </summary>
internal sealed class TurnTransaction(StunTransactionId id, StunMethod method, TurnAuthentication? authentication, bool inline = false)
{
    public StunTransactionId Id { get; } = id;

    public StunMethod Method { get; } = method;

    /// <summary>The credential the request was signed with; null for the first, unauthenticated Allocate.</summary>
    public TurnAuthentication? Authentication { get; } = authentication;

    /// <summary>The response's bytes, or a failure (over TCP/TLS a response whose integrity does not match fails the request).</summary>
    /// <remarks>
    /// The request's logic resumes on a pool thread, not on the socket's receive thread that delivered the answer; the
    /// fuzz harness alone asks for it inline, so that one input is processed to the end before the next.
    /// </remarks>
    public TaskCompletionSource<(byte[]? Response, string? Failure)> Completion { get; } =
        new(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
}
