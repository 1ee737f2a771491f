namespace Intercom.Media.Dtmf;

/// <summary>
/// Reports a digit once when a peer sends it by two paths (RFC 4733 events and SIP INFO, or events and in-band tones):
/// a digit from one path is dropped if the same digit from another path was reported within <see cref="Window"/> and
/// has not already absorbed a digit from this path. Repeated presses on one path ("55") are never merged. Each path is
/// expected to report an event once (see <see cref="TelephoneEventReceiver"/>).
/// </summary>
public sealed class DtmfDeduplicator
{
    private const int Capacity = 16;

    private readonly TimeProvider _time;
    private readonly Entry[] _recent = new Entry[Capacity];
    private int _next;

    /// <summary>Creates a deduplicator using <paramref name="time"/> for arrival times.</summary>
    public DtmfDeduplicator(TimeProvider time, TimeSpan? window = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        Window = window ?? TimeSpan.FromMilliseconds(1500);
    }

    /// <summary>How far apart two paths may deliver the same press.</summary>
    public TimeSpan Window { get; }

    /// <summary>True if the digit should be reported; false if it is the other path's copy of a digit already reported.</summary>
    public bool ShouldReport(char digit, DtmfSource source)
    {
        long now = _time.GetTimestamp();
        int match = -1;
        for (int i = 0; i < Capacity; i++)
        {
            ref Entry entry = ref _recent[i];
            if (entry.Digit != digit || entry.Source == source || (entry.AbsorbedMask & (1 << (int)source)) != 0
                || _time.GetElapsedTime(entry.Timestamp, now) > Window)
            {
                continue;
            }

            // Pair with the oldest unpaired press so that quick repeats pair up in order.
            if (match < 0 || entry.Timestamp < _recent[match].Timestamp)
            {
                match = i;
            }
        }

        if (match >= 0)
        {
            _recent[match].AbsorbedMask |= 1 << (int)source;
            return false;
        }

        _recent[_next] = new Entry { Digit = digit, Source = source, Timestamp = now, AbsorbedMask = 0 };
        _next = (_next + 1) % Capacity;
        return true;
    }

    private struct Entry
    {
        public char Digit;
        public DtmfSource Source;
        public long Timestamp;
        public int AbsorbedMask;
    }
}
