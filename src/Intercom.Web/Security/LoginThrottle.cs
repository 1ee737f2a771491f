using System.Net;

namespace Intercom.Web.Security;

/// <summary>
/// Slows password guessing: after <see cref="FreeFailures"/> wrong passwords from one address, that address must wait
/// 30 s before the next attempt, doubling with each further failure up to 15 minutes; a right password clears its
/// count. Checked before the (deliberately slow) hash, and at most one hash runs at a time, so a flood of logins can
/// neither guess fast nor keep the station's CPU busy. Bounded: at most 1024 addresses are remembered.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time)
{
    public const int FreeFailures = 5;
    private const int MaxAddresses = 1024;
    private static readonly TimeSpan FirstLockout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Entry> _entries = [];

    /// <summary>One password hash at a time.</summary>
    public SemaphoreSlim Hashing { get; } = new(1, 1);

    /// <summary>How long <paramref name="address"/> must still wait, or zero when it may try now.</summary>
    public TimeSpan RetryAfter(IPAddress address)
    {
        address = Key(address);
        lock (_gate)
        {
            if (_entries.TryGetValue(address, out var entry))
            {
                var left = entry.LockedUntil - time.GetUtcNow();
                if (left > TimeSpan.Zero)
                {
                    return left;
                }
            }

            return TimeSpan.Zero;
        }
    }

    /// <summary>Counts a wrong password; returns the wait now imposed (zero while under the free failures).</summary>
    public TimeSpan Failed(IPAddress address)
    {
        address = Key(address);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(address, out var entry))
            {
                if (_entries.Count >= MaxAddresses)
                {
                    Evict(now);
                }

                entry = new Entry();
                _entries[address] = entry;
            }

            entry.Failures++;
            entry.LastFailure = now;
            if (entry.Failures < FreeFailures)
            {
                return TimeSpan.Zero;
            }

            var doublings = Math.Min(entry.Failures - FreeFailures, 10);
            var wait = TimeSpan.FromTicks(Math.Min(FirstLockout.Ticks << doublings, MaxLockout.Ticks));
            entry.LockedUntil = now + wait;
            return wait;
        }
    }

    public void Succeeded(IPAddress address)
    {
        address = Key(address);
        lock (_gate)
        {
            _entries.Remove(address);
        }
    }

    // One IPv6 host usually holds a whole /64: counting per address would give it 2^64 fresh starts.
    private static IPAddress Key(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address;
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    private void Evict(DateTimeOffset now)
    {
        // Forget addresses no longer locked first; if all are, the one that failed longest ago.
        IPAddress? victim = null;
        var oldest = DateTimeOffset.MaxValue;
        foreach (var (address, entry) in _entries)
        {
            if (entry.LockedUntil <= now)
            {
                victim = address;
                break;
            }

            if (entry.LastFailure < oldest)
            {
                oldest = entry.LastFailure;
                victim = address;
            }
        }

        _entries.Remove(victim!);
    }

    private sealed class Entry
    {
        public int Failures { get; set; }

        public DateTimeOffset LockedUntil { get; set; }

        public DateTimeOffset LastFailure { get; set; }
    }
}
