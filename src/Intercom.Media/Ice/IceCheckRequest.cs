using System.Net;
using Intercom.Media.Nat;

namespace Intercom.Media.Ice;

/// <summary>
/// A peer's connectivity check as the answering side reads it (RFC 8445 §7.3, RFC 8489 §6.3, §9.1.3): a Binding request
/// whose USERNAME names our ufrag (and the peer's, once known), whose MESSAGE-INTEGRITY is keyed with our password, and
/// which carries PRIORITY. Both the lite responder and the full agent answer checks through it, so they refuse the same
/// things the same way: 400 without USERNAME, MESSAGE-INTEGRITY or PRIORITY, 401 for another ufrag or key (with no
/// integrity, as nothing proves who asked), 420 for an unknown comprehension-required attribute.
/// </summary>
public readonly struct IceCheckRequest
{
    private static readonly StunAttributeType[] Understood =
    [
        StunAttributeType.Username, StunAttributeType.MessageIntegrity, StunAttributeType.Priority, StunAttributeType.UseCandidate,
        StunAttributeType.Fingerprint, StunAttributeType.IceControlled, StunAttributeType.IceControlling,
    ];

    private IceCheckRequest(StunTransactionId id, uint priority, bool useCandidate, ulong? controlling, ulong? controlled)
    {
        TransactionId = id;
        Priority = priority;
        UseCandidate = useCandidate;
        ControllingTieBreaker = controlling;
        ControlledTieBreaker = controlled;
    }

    /// <summary>The check's transaction id: the response carries it back.</summary>
    public StunTransactionId TransactionId { get; }

    /// <summary>PRIORITY (RFC 8445 §7.1.1): what a peer-reflexive candidate learned from this check gets.</summary>
    public uint Priority { get; }

    /// <summary>USE-CANDIDATE (§7.1.2): the controlling peer nominates this pair.</summary>
    public bool UseCandidate { get; }

    /// <summary>ICE-CONTROLLING's tie-breaker: the peer believes it controls.</summary>
    public ulong? ControllingTieBreaker { get; }

    /// <summary>ICE-CONTROLLED's tie-breaker: the peer believes it is controlled.</summary>
    public ulong? ControlledTieBreaker { get; }

    /// <summary>
    /// Reads <paramref name="packet"/> as a check for us. <see cref="IceCheckOutcome.Answered"/>: authentic, in
    /// <paramref name="check"/>. <see cref="IceCheckOutcome.Refused"/>: an error response of <paramref name="responseLength"/>
    /// bytes is in <paramref name="response"/>, to go back to the source. <see cref="IceCheckOutcome.Dropped"/>: malformed,
    /// a bad FINGERPRINT, or not a request (nothing to send). <see cref="IceCheckOutcome.NotACheck"/>: not STUN at all.
    /// </summary>
    /// <param name="remoteUfrag">The peer's ufrag when its SDP is known: a USERNAME naming another is refused.</param>
    public static IceCheckOutcome Read(ReadOnlySpan<byte> packet, string localUfrag, string? remoteUfrag, ReadOnlySpan<byte> localKey,
        out IceCheckRequest check, Span<byte> response, out int responseLength)
    {
        check = default;
        responseLength = 0;
        if (!StunMessage.IsStun(packet))
        {
            return IceCheckOutcome.NotACheck;
        }

        if (!StunMessage.TryParse(packet, out StunMessage request, out _)
            || request.Method != StunMethod.Binding || request.Class != StunMessageClass.Request)
        {
            return IceCheckOutcome.Dropped;
        }

        // RFC 8489 §14.7: a FINGERPRINT that does not match means this is not a STUN message at all.
        if (request.HasFingerprint && !request.VerifyFingerprint())
        {
            return IceCheckOutcome.Dropped;
        }

        // RFC 8489 §9.1.3: without USERNAME and MESSAGE-INTEGRITY, 400; RFC 8445 §7.1.1: a check carries PRIORITY.
        if (!request.TryGetUsername(out string? username) || !request.HasMessageIntegrity || !request.TryGetPriority(out uint priority))
        {
            return Refuse(request.TransactionId, 400, "Bad Request", response, out responseLength);
        }

        // RFC 8445 §7.3: USERNAME is LFRAG:RFRAG, LFRAG ours. A wrong name or integrity is 401, no detail given.
        if (!UsernameIsOurs(username!, localUfrag, remoteUfrag) || !request.VerifyMessageIntegrity(localKey))
        {
            return Refuse(request.TransactionId, 401, "Unauthorized", response, out responseLength);
        }

        if (request.TryGetUnknownRequiredAttribute(Understood, out ushort unknown))
        {
            return Refuse(request.TransactionId, 420, "Unknown Attribute", response, out responseLength, unknown);
        }

        ulong? controlling = request.TryGetIceControlling(out ulong a) ? a : null;
        ulong? controlled = request.TryGetIceControlled(out ulong b) ? b : null;
        check = new IceCheckRequest(request.TransactionId, Math.Min(priority, IceCandidate.MaxPriority), request.HasUseCandidate, controlling, controlled);
        return IceCheckOutcome.Answered;
    }

    /// <summary>
    /// The success response (RFC 8445 §7.3.1.2 with RFC 8489 §6.3.1): XOR-MAPPED-ADDRESS is the source the check came
    /// from, then MESSAGE-INTEGRITY with our key and FINGERPRINT. Its length, 0 when it did not fit.
    /// </summary>
    public int WriteSuccess(IPEndPoint source, ReadOnlySpan<byte> localKey, Span<byte> response)
    {
        var writer = new StunMessageWriter(response, StunMethod.Binding, StunMessageClass.SuccessResponse, TransactionId);
        writer.AddXorMappedAddress(source);
        writer.AddMessageIntegrity(localKey);
        writer.AddFingerprint();
        return writer.Complete();
    }

    /// <summary>An error response to this check (487 Role Conflict, RFC 8445 §7.3.1.1), with integrity: the check was authentic.</summary>
    public int WriteError(int code, string reason, ReadOnlySpan<byte> localKey, Span<byte> response)
    {
        var writer = new StunMessageWriter(response, StunMethod.Binding, StunMessageClass.ErrorResponse, TransactionId);
        writer.AddErrorCode(code, reason);
        writer.AddMessageIntegrity(localKey);
        writer.AddFingerprint();
        return writer.Complete();
    }

    private static bool UsernameIsOurs(string username, string localUfrag, string? remoteUfrag)
    {
        int colon = username.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !username.AsSpan(0, colon).SequenceEqual(localUfrag))
        {
            return false;
        }

        return remoteUfrag is null || username.AsSpan(colon + 1).SequenceEqual(remoteUfrag);
    }

    private static IceCheckOutcome Refuse(StunTransactionId id, int code, string reason, Span<byte> response, out int responseLength, ushort? unknown = null)
    {
        // RFC 8489 §9.1.3: error responses to a request that failed authentication carry no MESSAGE-INTEGRITY.
        var writer = new StunMessageWriter(response, StunMethod.Binding, StunMessageClass.ErrorResponse, id);
        writer.AddErrorCode(code, reason);
        if (unknown is { } type)
        {
            ushort[] types = [type];
            writer.AddUnknownAttributes(types);
        }

        writer.AddFingerprint();
        responseLength = writer.Complete();
        return responseLength == 0 ? IceCheckOutcome.Dropped : IceCheckOutcome.Refused;
    }
}
