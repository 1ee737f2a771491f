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
        IceCheckOutcome outcome = IceCheckRequest.Read(packet, _local.Ufrag, _remoteUfrag, _key, out IceCheckRequest check, response, out responseLength);
        if (outcome != IceCheckOutcome.Answered)
        {
            return outcome;
        }

        // RFC 8445 §6.1.1: with a lite peer the full agent must be controlling. A peer that also claims the
        // controlled role is told of the conflict (§7.3.1.1); a lite agent cannot switch roles itself.
        if (check.ControlledTieBreaker is not null)
        {
            responseLength = check.WriteError(487, "Role Conflict", _key, response);
            return responseLength == 0 ? IceCheckOutcome.Dropped : IceCheckOutcome.Refused;
        }

        Remember(source);
        bool selected = false;
        if (check.UseCandidate)
        {
            // RFC 8445 §8.2 (lite): of the nominated pairs, the highest priority one carries the media.
            ulong priority = IcePriority.OfPair(check.Priority, _localPriority);
            if (SelectedRemote is null || priority > _selectedPriority || (priority == _selectedPriority && !SelectedRemote.Equals(source)))
            {
                selected = !source.Equals(SelectedRemote);
                SelectedRemote = source;
                _selectedPriority = priority;
            }
        }

        responseLength = check.WriteSuccess(source, _key, response);
        return responseLength == 0 ? IceCheckOutcome.Dropped : selected ? IceCheckOutcome.Selected : IceCheckOutcome.Answered;
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
}
