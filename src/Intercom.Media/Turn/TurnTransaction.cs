using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>
/// One request waiting for its response: matched by the random transaction id (RFC 8489 §6.3) and the method, and, when
/// the request was signed, accepted only with a response signed by the same key (§9.2.5).
/// </summary>
internal sealed class TurnTransaction(StunTransactionId id, StunMethod method, TurnAuthentication? authentication)
{
    public StunTransactionId Id { get; } = id;

    public StunMethod Method { get; } = method;

    /// <summary>The credential the request was signed with; null for the first, unauthenticated Allocate.</summary>
    public TurnAuthentication? Authentication { get; } = authentication;

    /// <summary>The response's bytes, or a failure (over TCP/TLS a response whose integrity does not match fails the request).</summary>
    public TaskCompletionSource<(byte[]? Response, string? Failure)> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
