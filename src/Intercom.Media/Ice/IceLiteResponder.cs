using System.Net;
using Intercom.Media.Nat;

namespace Intercom.Media.Ice;

/// <summary>
/// The station's side of ICE as a lite agent (RFC 8445 §2.5, §7.3): it sends no checks, it answers the peer's on its
/// host candidate and uses the pair the peer nominates. A check is answered only when its MESSAGE-INTEGRITY is keyed
/// with the password of our SDP: an address on the LAN that has not seen our offer or answer cannot make itself the media
/// peer, however it spoofs its source. One instance per stream; called from the stream's receive thread only.
/// </summary>
public sealed class IceLiteResponder
{
    /// <summary>How many distinct authentic sources are remembered (a browser checks from a handful of candidates).</summary>
    public const int MaxValidRemotes = 8;

    private static readonly StunAttributeType[] Understood =
    [
        StunAttributeType.Username, StunAttributeType.MessageIntegrity, StunAttributeType.Priority, StunAttributeType.UseCandidate,
        StunAttributeType.Fingerprint, StunAttributeType.IceControlled, StunAttributeType.IceControlling,
    ];

    private readonly IceCredentials _local;
    private readonly byte[] _key;
    private readonly uint _localPriority;
    private readonly List<IPEndPoint> _valid = new(MaxValidRemotes);
    private string? _remoteUfrag;
    private ulong _selectedPriority;

    /// <param name="local">Our ufrag and password, as written in our SDP.</param>
    /// <param name="localPriority">Our host candidate's priority: with the check's PRIORITY it orders nominated pairs.</param>
    /// <param name="remoteUfrag">The peer's ufrag when its SDP is known; checks naming another are refused.</param>
    public IceLiteResponder(IceCredentials local, uint localPriority, string? remoteUfrag = null)
    {
        _local = local;
        _key = StunCredentials.ShortTermKey(local.Password);
        _localPriority = localPriority;
        _remoteUfrag = remoteUfrag;
    }

    /// <summary>Where media goes: the nominated source of the highest pair priority, or null before any nomination.</summary>
    public IPEndPoint? SelectedRemote { get; private set; }

    /// <summary>Sources that passed a check: media from any other address is not the peer's.</summary>
    public IReadOnlyList<IPEndPoint> ValidRemotes => _valid;

    /// <summary>The peer's ufrag, learned from its SDP (an answer can arrive after its first checks).</summary>
    public void SetRemoteUfrag(string ufrag) => _remoteUfrag = ufrag;

    /// <summary>True when <paramref name="source"/> passed a check: the only sources media is taken from once ICE runs.</summary>
    public bool IsValidRemote(IPEndPoint source)
    {
        foreach (IPEndPoint valid in _valid)
        {
            if (valid.Equals(source))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Handles one packet that arrived on the stream's socket from <paramref name="source"/>. When the outcome is
    /// <see cref="IceCheckOutcome.Answered"/>, <see cref="IceCheckOutcome.Selected"/> or <see cref="IceCheckOutcome.Refused"/>,
    /// the first <paramref name="responseLength"/> bytes of <paramref name="response"/> are to be sent back to the source.
    /// </summary>
    public IceCheckOutcome Handle(ReadOnlySpan<byte> packet, IPEndPoint source, Span<byte> response, out int responseLength)
    {
        responseLength = 0;
        if (!StunMessage.IsStun(packet))
        {
            return IceCheckOutcome.NotACheck;
        }

        if (!StunMessage.TryParse(packet, out StunMessage request, out _)
            || request.Method != StunMethod.Binding || request.Class != StunMessageClass.Request)
        {
            // Responses and indications are not for a lite agent; a malformed message gets no answer (§6.3).
            return IceCheckOutcome.Dropped;
        }

        // RFC 8489 §14.7: a FINGERPRINT that does not match means this is not a STUN message at all.
        if (request.HasFingerprint && !request.VerifyFingerprint())
        {
            return IceCheckOutcome.Dropped;
        }

        // RFC 8489 §9.1.3: without USERNAME and MESSAGE-INTEGRITY, 400; RFC 8445 §7.1.1: a check carries PRIORITY.
        if (!request.TryGetUsername(out string? username) || !request.HasMessageIntegrity || !request.TryGetPriority(out uint remotePriority))
        {
            return Refuse(request, 400, "Bad Request", response, out responseLength);
        }

        // RFC 8445 §7.3: USERNAME is LFRAG:RFRAG, LFRAG ours. A wrong name or integrity is 401, no detail given.
        if (!UsernameIsOurs(username!) || !request.VerifyMessageIntegrity(_key))
        {
            return Refuse(request, 401, "Unauthorized", response, out responseLength);
        }

        if (request.TryGetUnknownRequiredAttribute(Understood, out ushort unknown))
        {
            return Refuse(request, 420, "Unknown Attribute", response, out responseLength, unknown);
        }

        // RFC 8445 §6.1.1: with a lite peer the full agent must be controlling. A peer that also claims the
        // controlled role is told of the conflict (§7.3.1.1); a lite agent cannot switch roles itself.
        if (request.TryGetIceControlled(out _))
        {
            return Refuse(request, 487, "Role Conflict", response, out responseLength);
        }

        Remember(source);
        bool selected = false;
        if (request.HasUseCandidate)
        {
            // RFC 8445 §8.2 (lite): of the nominated pairs, the highest priority one carries the media.
            ulong priority = IcePriority.OfPair(Math.Min(remotePriority, IceCandidate.MaxPriority), _localPriority);
            if (SelectedRemote is null || priority > _selectedPriority || (priority == _selectedPriority && !SelectedRemote.Equals(source)))
            {
                selected = !source.Equals(SelectedRemote);
                SelectedRemote = source;
                _selectedPriority = priority;
            }
        }

        var writer = new StunMessageWriter(response, StunMethod.Binding, StunMessageClass.SuccessResponse, request.TransactionId);
        writer.AddXorMappedAddress(source);
        writer.AddMessageIntegrity(_key);
        writer.AddFingerprint();
        responseLength = writer.Complete();
        return responseLength == 0 ? IceCheckOutcome.Dropped : selected ? IceCheckOutcome.Selected : IceCheckOutcome.Answered;
    }

    private bool UsernameIsOurs(string username)
    {
        int colon = username.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !username.AsSpan(0, colon).SequenceEqual(_local.Ufrag))
        {
            return false;
        }

        return _remoteUfrag is null || username.AsSpan(colon + 1).SequenceEqual(_remoteUfrag);
    }

    private void Remember(IPEndPoint source)
    {
        if (IsValidRemote(source))
        {
            return;
        }

        if (_valid.Count == MaxValidRemotes)
        {
            // Only authentic checks get here: the oldest source is the one least likely still in use, unless selected.
            int oldest = SelectedRemote is not null && _valid[0].Equals(SelectedRemote) ? 1 : 0;
            _valid.RemoveAt(oldest);
        }

        _valid.Add(source);
    }

    private static IceCheckOutcome Refuse(StunMessage request, int code, string reason, Span<byte> response, out int responseLength, ushort? unknown = null)
    {
        // RFC 8489 §9.1.3: error responses to a request that failed authentication carry no MESSAGE-INTEGRITY.
        var writer = new StunMessageWriter(response, StunMethod.Binding, StunMessageClass.ErrorResponse, request.TransactionId);
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
