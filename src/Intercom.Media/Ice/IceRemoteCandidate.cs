using System.Net;

namespace Intercom.Media.Ice;

/// <summary>
/// One entry of `a=remote-candidates` (RFC 8839 §5.2: <c>component-ID SP connection-address SP port</c>): in a subsequent
/// offer the controlling agent, its checks complete, names the candidate of ours each of its nominated pairs uses. It is
/// there for the race in RFC 8839 §3.4.2: the re-offer can reach us before the check response that tells us which pair
/// was chosen, and our answer must still put that pair in c=/m= (the peer sends its RTP there). Only the RFC's form is
/// trusted: one entry per component.
/// </summary>
public readonly record struct IceRemoteCandidate(int ComponentId, IPAddress Address, int Port)
{
    /// <summary>The most entries read: one per component (two at most for audio); this bounds a hostile SDP.</summary>
    public const int MaxEntries = 8;

    /// <summary>
    /// Reads the attribute's value. An entry that is not three fields, a component outside 1-256, an address that is not
    /// an IP literal (§5.1: no FQDN), or a port outside 1-65535 makes the whole attribute unusable: empty, as if absent.
    /// </summary>
    public static IReadOnlyList<IceRemoteCandidate> ParseList(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return [];
        }

        string[] fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields.Length % 3 != 0 || fields.Length / 3 > MaxEntries)
        {
            return [];
        }

        var entries = new List<IceRemoteCandidate>(fields.Length / 3);
        for (int i = 0; i < fields.Length; i += 3)
        {
            if (!IceGrammar.TryDigits(fields[i], out ulong component) || component is < 1 or > 256
                || !IPAddress.TryParse(fields[i + 1], out IPAddress? address) || !IsLiteral(fields[i + 1])
                || !IceGrammar.TryDigits(fields[i + 2], out ulong port) || port is < 1 or > IPEndPoint.MaxPort)
            {
                return [];
            }

            entries.Add(new IceRemoteCandidate((int)component, address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, (int)port));
        }

        return entries;
    }

    /// <summary>
    /// Which of <paramref name="local"/> (our candidates) the entry for RTP names, or null: there is none, there are
    /// several (re, baresip's stack, lists every candidate of ours it knows, which says nothing of the nominated pair),
    /// or it names an address that is not ours (a forged or stale offer cannot move our default anywhere else).
    /// </summary>
    public static IceCandidate? NamedRtpCandidate(IReadOnlyList<IceRemoteCandidate> entries, IReadOnlyList<IceCandidate> local)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(local);
        IceRemoteCandidate? rtp = null;
        foreach (IceRemoteCandidate entry in entries)
        {
            if (entry.ComponentId == 1)
            {
                if (rtp is not null)
                {
                    return null;
                }

                rtp = entry;
            }
        }

        if (rtp is not { } named)
        {
            return null;
        }

        foreach (IceCandidate candidate in local)
        {
            if (candidate.ComponentId == 1 && candidate.Port == named.Port && candidate.Address is { } address
                && (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).Equals(named.Address))
            {
                return candidate;
            }
        }

        return null;
    }

    // IPAddress.TryParse also takes "1", "0x7f.1" and other shorthand forms; connection-address is the dotted or colon form.
    private static bool IsLiteral(string text) => text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3;
}
