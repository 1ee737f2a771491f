using System.Text;

namespace Intercom.Sip.Transport;

/// <summary>
/// The top-Via branches of the requests the station recently sent over UDP, so that a response to one of its own client
/// transactions can be told from a forged datagram before anything is parsed: RFC 3261 §8.1.1.7 branches hold 64 random
/// bits here (<see cref="Transactions.TransactionLayer.NewBranch"/>), which a sender that does not see our traffic
/// cannot guess. A fixed ring of the last <see cref="Capacity"/> branches, each remembered for <see cref="Lifetime"/>
/// (longer than Timer B/F and the 2xx retransmissions that follow); older or overwritten ones simply stop matching, and
/// their responses are limited like any other datagram. Recorded on the loop, looked up on the receive threads.
/// </summary>
internal sealed class SipClientBranches(TimeProvider time)
{
    public const int Capacity = 128;

    /// <summary>How long after sending a request its responses are recognised.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(64);

    // Only the start of a datagram is searched for the top Via: where it always is, and a bounded cost per forged datagram.
    private const int SearchBytes = 2048;

    private readonly (string? Branch, long SentAt)[] _ring = new (string?, long)[Capacity];
    private readonly Lock _lock = new();
    private readonly long _lifetimeTicks = (long)(Lifetime.TotalSeconds * time.TimestampFrequency);
    private int _next;

    /// <summary>Remembers <paramref name="branch"/> (a retransmission refreshes it rather than taking a second slot).</summary>
    public void Record(string branch)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            for (var i = 0; i < _ring.Length; i++)
            {
                if (string.Equals(_ring[i].Branch, branch, StringComparison.Ordinal))
                {
                    _ring[i].SentAt = now;
                    return;
                }
            }

            _ring[_next] = (branch, now);
            _next = (_next + 1) % _ring.Length;
        }
    }

    /// <summary>True when <paramref name="response"/>'s top Via branch is one of ours, recent enough.</summary>
    public bool Matches(ReadOnlySpan<byte> response)
    {
        if (!TryFindTopViaBranch(response, out var branch) || branch.Length is < 8 or > 128)
        {
            return false;
        }

        var now = time.GetTimestamp();
        lock (_lock)
        {
            foreach (var (known, sentAt) in _ring)
            {
                if (known is not null && known.Length == branch.Length && now - sentAt <= _lifetimeTicks && Ascii.Equals(branch, known.AsSpan()))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The branch parameter of the first Via header value in a raw message, without parsing the message: header lines
    /// after the start line, up to the blank line, within the first <see cref="SearchBytes"/> bytes; "Via" or compact "v"
    /// in any case; parameter names in any case. A branch folded onto a continuation line is not found (the response is
    /// then limited as an ordinary datagram).
    /// </summary>
    internal static bool TryFindTopViaBranch(ReadOnlySpan<byte> message, out ReadOnlySpan<byte> branch)
    {
        branch = default;
        var data = message.Length > SearchBytes ? message[..SearchBytes] : message;
        var first = true;
        while (!data.IsEmpty)
        {
            var end = data.IndexOf((byte)'\n');
            var line = end < 0 ? data : data[..end];
            data = end < 0 ? default : data[(end + 1)..];
            line = line.TrimEnd((byte)'\r');
            if (first)
            {
                first = false;
                continue;
            }

            if (line.IsEmpty)
            {
                return false;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].TrimEnd(" \t"u8);
            if (!Ascii.EqualsIgnoreCase(name, "Via"u8) && !Ascii.EqualsIgnoreCase(name, "v"u8))
            {
                continue;
            }

            var value = line[(colon + 1)..];
            var comma = value.IndexOf((byte)',');
            if (comma >= 0)
            {
                value = value[..comma];
            }

            return TryFindBranchParameter(value, out branch);
        }

        return false;
    }

    private static bool TryFindBranchParameter(ReadOnlySpan<byte> via, out ReadOnlySpan<byte> branch)
    {
        branch = default;
        while (true)
        {
            var semicolon = via.IndexOf((byte)';');
            if (semicolon < 0)
            {
                return false;
            }

            via = via[(semicolon + 1)..].TrimStart(" \t"u8);
            var nameEnd = via.IndexOfAny("=; \t"u8);
            var name = nameEnd < 0 ? via : via[..nameEnd];
            if (!Ascii.EqualsIgnoreCase(name, "branch"u8))
            {
                continue;
            }

            var rest = via[name.Length..].TrimStart(" \t"u8);
            if (rest.IsEmpty || rest[0] != (byte)'=')
            {
                return false;
            }

            rest = rest[1..].TrimStart(" \t"u8);
            var valueEnd = rest.IndexOfAny("; \t,"u8);
            branch = valueEnd < 0 ? rest : rest[..valueEnd];
            return !branch.IsEmpty;
        }
    }
}
