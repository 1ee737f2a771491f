using System.Net;
using System.Net.Sockets;

namespace Intercom.Sip.Transport;

/// <summary>
/// Per-source admission of received SIP messages, asked before a message is parsed. Each source address (an IPv6
/// source by its /64, which one host can fill) has, per <see cref="SipSourceKind"/>, a token bucket of
/// <see cref="SipRateLimitOptions.MessagesPerSecond"/> with <see cref="SipRateLimitOptions.Burst"/>; a message over
/// budget is refused (a request gets 503 with Retry-After, RFC 3261 §21.5.4) while the source still has refusals left in
/// a second, small bucket. What happens once those run out depends on whether the address can be believed: a stream
/// source (TCP, TLS: the handshake proved it) is blocked for <see cref="SipRateLimitOptions.BlockDuration"/> — its
/// messages dropped unread, its connections closed; a datagram source (UDP: anyone can write any source address, the
/// PBX's included) is never blocked, only held to its rate, its excess dropped unread. Blocking a UDP address would let
/// a forged burst of some seventy datagrams silence the real PBX for the whole block; holding it to its rate costs the
/// station the same (one table lookup per dropped datagram) and the address is served again the moment the flood stops.
/// The budget of all sources together is kept per kind as well, so a forged UDP flood spread over many addresses never
/// closes a TCP connection, nor drops our own transactions' answers. State is a fixed array of
/// <see cref="SipRateLimitOptions.MaxSources"/> entries, looked up by hash within a small probe window; when the window
/// is full the least recently seen entry is reused, so a flood of spoofed addresses cannot grow memory. Called from
/// every receive thread: one short lock, no allocation.
/// </summary>
public sealed class SipSourceRateLimiter
{
    private const int ProbeWindow = 8;

    private readonly SipRateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly Entry[] _entries;
    private readonly int _mask;
    private readonly double _ticksPerMessage;
    private readonly double _ticksPerRefusal;
    private readonly long _blockTicks;
    private readonly (ulong High, ulong Low)[] _exempt;
    private readonly double _ticksPerGlobalMessage;
    private readonly double _globalBurst;
    private readonly Lock _lock = new();

    // One budget for all sources together per SipSourceKind.
    private readonly GlobalBucket[] _global = new GlobalBucket[3];
    private long _globalDrops;
    private long _accepted;
    private long _refused;
    private long _dropped;
    private long _blocks;

    /// <summary>Creates a limiter with the given limits and clock.</summary>
    public SipSourceRateLimiter(SipRateLimitOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MessagesPerSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RefusalBurst, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSources, 1);
        _options = options;
        _time = time;
        var size = (int)Math.Min(1 << 20, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(options.MaxSources, ProbeWindow)));
        _entries = new Entry[size];
        _mask = size - 1;
        _ticksPerMessage = time.TimestampFrequency / options.MessagesPerSecond;

        // Refusals refill at one per Retry-After: a client honouring it never runs out.
        _ticksPerRefusal = time.TimestampFrequency * (double)Math.Max(1, options.RetryAfterSeconds);
        _blockTicks = (long)(options.BlockDuration.TotalSeconds * time.TimestampFrequency);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.GlobalMessagesPerSecond, 0);
        _ticksPerGlobalMessage = time.TimestampFrequency / options.GlobalMessagesPerSecond;
        _globalBurst = Math.Max(1, 2 * options.GlobalMessagesPerSecond);
        var start = time.GetTimestamp();
        for (var i = 0; i < _global.Length; i++)
        {
            _global[i] = new GlobalBucket { Last = start, Tokens = _globalBurst, QuietTokens = _globalBurst };
        }

        _exempt = new (ulong, ulong)[options.Exempt.Count];
        for (var i = 0; i < _exempt.Length; i++)
        {
            _exempt[i] = Key(options.Exempt[i]);
        }
    }

    /// <summary>The limits in force.</summary>
    public SipRateLimitOptions Options => _options;

    /// <summary>Messages accepted.</summary>
    public long Accepted => Volatile.Read(ref _accepted);

    /// <summary>Messages over budget (requests among them answered 503).</summary>
    public long Refused => Volatile.Read(ref _refused);

    /// <summary>Messages dropped unread from blocked sources.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>
    /// Messages turned away because all sources of their kind together were over
    /// <see cref="SipRateLimitOptions.GlobalMessagesPerSecond"/>: datagrams dropped (included in <see cref="Dropped"/>),
    /// stream messages refused (included in <see cref="Refused"/>; a connection is not closed for others' flood).
    /// </summary>
    public long GlobalDrops => Volatile.Read(ref _globalDrops);

    /// <summary>Times a stream source was blocked (datagram sources never are).</summary>
    public long Blocks => Volatile.Read(ref _blocks);

    /// <summary>Sources currently remembered (for tests and status; walks the table).</summary>
    public int TrackedSources
    {
        get
        {
            lock (_lock)
            {
                var count = 0;
                foreach (ref readonly var entry in _entries.AsSpan())
                {
                    count += entry.InUse ? 1 : 0;
                }

                return count;
            }
        }
    }

    /// <summary>
    /// Decides what to do with one message (or, over a stream, one RFC 5626 keepalive ping) from
    /// <paramref name="source"/>, received as <paramref name="kind"/>.
    /// </summary>
    public SipRateLimitVerdict Admit(IPAddress source, SipSourceKind kind)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!_options.Enabled)
        {
            return SipRateLimitVerdict.Accept;
        }

        var address = Key(source);
        foreach (var exempt in _exempt)
        {
            if (exempt == address)
            {
                Interlocked.Increment(ref _accepted);
                return SipRateLimitVerdict.Accept;
            }
        }

        var key = WithKind(address, kind);
        var now = _time.GetTimestamp();
        SipRateLimitVerdict verdict;
        lock (_lock)
        {
            ref var global = ref _global[(int)kind];
            Refill(ref global, now);
            ref var entry = ref Find(key, now);
            verdict = Decide(ref entry, ref global, now, kind);
        }

        switch (verdict)
        {
            case SipRateLimitVerdict.Accept:
                Interlocked.Increment(ref _accepted);
                break;
            case SipRateLimitVerdict.Refuse:
                Interlocked.Increment(ref _refused);
                break;
            default:
                Interlocked.Increment(ref _dropped);
                break;
        }

        return verdict;
    }

    /// <summary>
    /// True when <paramref name="source"/> is blocked now as a stream source (a new connection from it is closed at
    /// once). Only stream sources are ever blocked.
    /// </summary>
    public bool IsBlocked(IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!_options.Enabled)
        {
            return false;
        }

        var key = WithKind(Key(source), SipSourceKind.Stream);
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            var start = Hash(key) & _mask;
            for (var i = 0; i < ProbeWindow; i++)
            {
                ref var entry = ref _entries[(start + i) & _mask];
                if (entry.InUse && entry.High == key.High && entry.Low == key.Low)
                {
                    return entry.BlockedUntil > now;
                }
            }
        }

        return false;
    }

    private SipRateLimitVerdict Decide(ref Entry entry, ref GlobalBucket global, long now, SipSourceKind kind)
    {
        if (entry.BlockedUntil > now)
        {
            entry.LastSeen = now;
            return SipRateLimitVerdict.Drop;
        }

        var elapsed = now - entry.LastSeen;
        entry.LastSeen = now;
        entry.Tokens = Math.Min(_options.Burst, entry.Tokens + (elapsed / _ticksPerMessage));
        entry.Refusals = Math.Min(_options.RefusalBurst, entry.Refusals + (elapsed / _ticksPerRefusal));
        if (entry.Tokens >= 1)
        {
            if (global.Tokens >= 1)
            {
                global.Tokens -= 1;
                entry.Tokens -= 1;
                return SipRateLimitVerdict.Accept;
            }

            // All sources together are over the limit: a quiet source (its bucket full) still gets through on a budget
            // of its own, so the resident's call is not lost in a flood spread over many addresses.
            if (entry.Tokens >= _options.Burst - 1 && global.QuietTokens >= 1)
            {
                global.QuietTokens -= 1;
                entry.Tokens -= 1;
                return SipRateLimitVerdict.Accept;
            }

            // Not this source's fault alone: turned away without spending its refusals or blocking it — silence for a
            // datagram, 503 over a stream (the connection stays). The message still counts against its own bucket, so
            // a busy source stops looking quiet.
            entry.Tokens -= 1;
            Interlocked.Increment(ref _globalDrops);
            return kind == SipSourceKind.Stream ? SipRateLimitVerdict.Refuse : SipRateLimitVerdict.Drop;
        }

        if (entry.Refusals >= 1)
        {
            entry.Refusals -= 1;
            return SipRateLimitVerdict.Refuse;
        }

        if (kind != SipSourceKind.Stream)
        {
            // A datagram's source address proves nothing: blocking it would hand anyone who can forge it (the PBX's,
            // a phone's) a way to silence it for the whole block. This one datagram is dropped unread, which costs what a
            // block would; the address keeps its sustained rate and nothing more.
            return SipRateLimitVerdict.Drop;
        }

        // Out of both: the source ignores 503 and Retry-After. Silence until the block ends; then its bucket starts
        // from where the silence leaves it (it refills only while the source is quiet) and it may be refused again.
        entry.BlockedUntil = now + _blockTicks;
        entry.Refusals = _options.RefusalBurst;
        Interlocked.Increment(ref _blocks);
        return SipRateLimitVerdict.Drop;
    }

    private void Refill(ref GlobalBucket global, long now)
    {
        var elapsed = now - global.Last;
        global.Last = now;
        var refill = elapsed / _ticksPerGlobalMessage;
        global.Tokens = Math.Min(_globalBurst, global.Tokens + refill);
        global.QuietTokens = Math.Min(_globalBurst, global.QuietTokens + refill);
    }

    private ref Entry Find((ulong High, ulong Low) key, long now)
    {
        var start = Hash(key) & _mask;
        var victim = -1;
        for (var i = 0; i < ProbeWindow; i++)
        {
            var index = (start + i) & _mask;
            ref var entry = ref _entries[index];
            if (entry.InUse && entry.High == key.High && entry.Low == key.Low)
            {
                return ref entry;
            }

            if (!entry.InUse)
            {
                if (victim < 0 || _entries[victim].InUse)
                {
                    victim = index;
                }
            }
            else if (victim < 0 || (_entries[victim].InUse && Older(in entry, in _entries[victim], now)))
            {
                victim = index;
            }
        }

        // A new source, or one forgotten: it starts with a full bucket.
        ref var fresh = ref _entries[victim];
        fresh = new Entry
        {
            InUse = true,
            High = key.High,
            Low = key.Low,
            LastSeen = now,
            Tokens = _options.Burst,
            Refusals = _options.RefusalBurst,
        };
        return ref fresh;
    }

    // A blocked source is worth more than an idle one: forgetting it would let it straight back in.
    private static bool Older(in Entry candidate, in Entry current, long now)
    {
        var candidateBlocked = candidate.BlockedUntil > now;
        var currentBlocked = current.BlockedUntil > now;
        if (candidateBlocked != currentBlocked)
        {
            return !candidateBlocked;
        }

        return candidate.LastSeen < current.LastSeen;
    }

    private static int Hash((ulong High, ulong Low) key)
    {
        // Fibonacci hashing mixes the prefix bits (all the entropy of a /64 key sits in High).
        var mixed = (key.High * 0x9E3779B97F4A7C15UL) ^ (key.Low * 0xC2B2AE3D27D4EB4FUL);
        return (int)(mixed >> 40);
    }

    /// <summary>The key of one kind of traffic from an address: the kind in bits 40–41 of Low, which no address key uses.</summary>
    private static (ulong High, ulong Low) WithKind((ulong High, ulong Low) address, SipSourceKind kind) =>
        (address.High, address.Low | ((ulong)kind << 40));

    /// <summary>IPv4 (and IPv4-mapped IPv6) by address; other IPv6 by its /64 prefix.</summary>
    internal static (ulong High, ulong Low) Key(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return (0, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        address.TryWriteBytes(bytes, out _);
        var high = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        if (high == 0 && (low >> 32) == 0xFFFF)
        {
            // ::ffff:a.b.c.d (a dual-mode socket's IPv4 peer) is the IPv4 address.
            return (0, low & 0xFFFF_FFFF);
        }

        return (high, 1UL << 63);
    }

    private struct GlobalBucket
    {
        public long Last;
        public double Tokens;
        public double QuietTokens;
    }

    private struct Entry
    {
        public bool InUse;
        public ulong High;
        public ulong Low;
        public long LastSeen;
        public long BlockedUntil;
        public double Tokens;
        public double Refusals;
    }
}
