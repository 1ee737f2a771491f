namespace Intercom.Media.Jitter;

/// <summary>
/// An adaptive jitter buffer for one audio stream of fixed-duration frames. The receive thread puts packets with their
/// arrival time; the playout thread gets one frame per frame interval. It reorders, drops duplicates and late packets,
/// reports losses for concealment (handing over the next packet for FEC), and keeps its delay near a target that follows
/// the measured interarrival jitter (RFC 3550 §6.4.1 estimator, four times the jitter, never below 20 ms): when the buffer
/// holds too much for a sustained time (the sender's clock runs fast, or jitter fell) it drops a frame, when too little
/// (a slow sender clock, or jitter rose) it asks for one concealed frame. A timestamp jump without a sequence gap (a new
/// talkspurt after silence suppression) moves the playout point instead of concealing the gap. Allocation-free;
/// <see cref="Put"/> and <see cref="Get"/> may run on different threads.
/// </summary>
public sealed class JitterBuffer
{
    private const int SustainFrames = 25;
    private const int StretchSpacing = 5;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly int _clockRate;
    private readonly int _frameSamples;
    private readonly int _capacity;
    private readonly int _maxPayload;
    private readonly byte[] _data;
    private readonly int[] _lengths;
    private readonly uint[] _timestamps;
    private readonly ushort[] _sequences;
    private readonly bool[] _used;
    private readonly int _minimumDelaySamples;
    private readonly int _maximumDelaySamples;

    private int _count;
    private bool _playing;
    private uint _playoutTimestamp;
    private ushort _lastPlayedSequence;
    private bool _hasPlayed;
    private long _firstArrival;
    private int _overTargetFrames;
    private int _framesSinceStretch;
    private int _underrunFrames;
    private bool _hasTransit;
    private uint _lastTransit;
    private double _jitterSamples;

    /// <summary>Creates a buffer.</summary>
    /// <param name="time">Clock of the arrival timestamps.</param>
    /// <param name="clockRate">RTP clock rate of the stream.</param>
    /// <param name="frameSamples">Timestamp units per packet (160 for 20 ms at 8 kHz).</param>
    /// <param name="capacity">Packets held at most; beyond it the oldest is dropped.</param>
    /// <param name="maxPayload">Largest payload stored.</param>
    /// <param name="minimumDelay">Floor of the target delay (20 ms).</param>
    /// <param name="maximumDelay">Ceiling of the target delay (400 ms).</param>
    public JitterBuffer(TimeProvider time, int clockRate, int frameSamples, int capacity = 50, int maxPayload = 1500,
        TimeSpan? minimumDelay = null, TimeSpan? maximumDelay = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameSamples);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 4);
        _time = time;
        _clockRate = clockRate;
        _frameSamples = frameSamples;
        _capacity = capacity;
        _maxPayload = maxPayload;
        _data = new byte[capacity * maxPayload];
        _lengths = new int[capacity];
        _timestamps = new uint[capacity];
        _sequences = new ushort[capacity];
        _used = new bool[capacity];
        _minimumDelaySamples = ToSamples(minimumDelay ?? TimeSpan.FromMilliseconds(20));
        _maximumDelaySamples = Math.Max(_minimumDelaySamples, ToSamples(maximumDelay ?? TimeSpan.FromMilliseconds(400)));
        TargetDelaySamples = _minimumDelaySamples;
    }

    /// <summary>The current target delay in timestamp units.</summary>
    public int TargetDelaySamples { get; private set; }

    /// <summary>The current target delay.</summary>
    public TimeSpan TargetDelay => TimeSpan.FromSeconds(TargetDelaySamples / (double)_clockRate);

    /// <summary>Interarrival jitter estimate in timestamp units.</summary>
    public double JitterSamples
    {
        get
        {
            lock (_lock)
            {
                return _jitterSamples;
            }
        }
    }

    /// <summary>Packets held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Packets that arrived after their playout time.</summary>
    public long LatePackets { get; private set; }

    /// <summary>Packets already held (or already played) that arrived again.</summary>
    public long DuplicatePackets { get; private set; }

    /// <summary>Frames reported lost to the decoder.</summary>
    public long LostFrames { get; private set; }

    /// <summary>Frames dropped to shrink the delay (fast sender clock, falling jitter, overflow).</summary>
    public long DroppedFrames { get; private set; }

    /// <summary>Concealed frames inserted to grow the delay (slow sender clock, rising jitter).</summary>
    public long InsertedFrames { get; private set; }

    /// <summary>Stores a packet; false if it was late, a duplicate or too large.</summary>
    public bool Put(ushort sequence, uint timestamp, ReadOnlySpan<byte> payload, long arrivalTimestamp)
    {
        if (payload.Length > _maxPayload)
        {
            return false;
        }

        lock (_lock)
        {
            UpdateJitter(timestamp, arrivalTimestamp);
            if (_playing && (int)(timestamp - _playoutTimestamp) < 0)
            {
                if (_hasPlayed && (short)(sequence - _lastPlayedSequence) <= 0 && (int)(_playoutTimestamp - timestamp) <= _frameSamples)
                {
                    DuplicatePackets++;
                }
                else
                {
                    LatePackets++;
                }

                return false;
            }

            int free = -1;
            for (int i = 0; i < _capacity; i++)
            {
                if (!_used[i])
                {
                    free = free < 0 ? i : free;
                }
                else if (_timestamps[i] == timestamp)
                {
                    DuplicatePackets++;
                    return false;
                }
            }

            if (free < 0)
            {
                free = Oldest();
                _used[free] = false;
                _count--;
                DroppedFrames++;
            }

            payload.CopyTo(_data.AsSpan(free * _maxPayload, _maxPayload));
            _lengths[free] = payload.Length;
            _timestamps[free] = timestamp;
            _sequences[free] = sequence;
            _used[free] = true;
            _count++;
            if (!_playing && _count == 1)
            {
                _firstArrival = arrivalTimestamp;
            }

            return true;
        }
    }

    /// <summary>
    /// Gets the frame to play now. For <see cref="JitterBufferResult.Frame"/> the payload is in
    /// <paramref name="payload"/>[..<paramref name="length"/>]; for <see cref="JitterBufferResult.Conceal"/> it is the next
    /// packet if one is buffered (length 0 otherwise).
    /// </summary>
    public JitterBufferResult Get(Span<byte> payload, out int length)
    {
        length = 0;
        lock (_lock)
        {
            if (!_playing)
            {
                if (_count == 0 || _time.GetElapsedTime(_firstArrival).TotalSeconds * _clockRate < TargetDelaySamples)
                {
                    return JitterBufferResult.Buffering;
                }

                _playing = true;
                _playoutTimestamp = _timestamps[Oldest()];
                _overTargetFrames = 0;
                _framesSinceStretch = 0;
                _underrunFrames = 0;
            }

            _framesSinceStretch++;
            int level = Level();
            if (level > TargetDelaySamples + (2 * _frameSamples))
            {
                if (++_overTargetFrames >= SustainFrames)
                {
                    // Too much delay for half a second: skip one frame.
                    DropAt(_playoutTimestamp);
                    _playoutTimestamp += (uint)_frameSamples;
                    DroppedFrames++;
                    _overTargetFrames = 0;
                }
            }
            else
            {
                _overTargetFrames = 0;
            }

            int slot = Find(_playoutTimestamp);
            if (slot < 0 && _count > 0 && _hasPlayed)
            {
                // No sequence gap but a timestamp gap: a new talkspurt, not a loss (RFC 3551 §4.1 silence suppression).
                int oldest = Oldest();
                if (_sequences[oldest] == (ushort)(_lastPlayedSequence + 1) && (int)(_timestamps[oldest] - _playoutTimestamp) > 0)
                {
                    _playoutTimestamp = _timestamps[oldest];
                    slot = oldest;
                }
            }

            if (slot >= 0)
            {
                _underrunFrames = 0;
                if (level < TargetDelaySamples && _framesSinceStretch >= StretchSpacing)
                {
                    // Below the target: play one concealed frame and keep this packet for the next tick.
                    _framesSinceStretch = 0;
                    InsertedFrames++;
                    return JitterBufferResult.Conceal;
                }

                length = _lengths[slot];
                _data.AsSpan(slot * _maxPayload, length).CopyTo(payload);
                _used[slot] = false;
                _count--;
                _lastPlayedSequence = _sequences[slot];
                _hasPlayed = true;
                _playoutTimestamp += (uint)_frameSamples;
                return JitterBufferResult.Frame;
            }

            if (_count == 0)
            {
                if (++_underrunFrames * _frameSamples >= _maximumDelaySamples)
                {
                    // The peer stopped sending (hold, silence suppression): rebuffer when it resumes.
                    _playing = false;
                    return JitterBufferResult.Buffering;
                }

                // Ran dry: the packet is probably on its way (slow sender clock, delay spike). Conceal without moving the
                // playout point so that it still plays when it comes; this adds one frame of delay.
                InsertedFrames++;
                return JitterBufferResult.Conceal;
            }

            int next = Find(_playoutTimestamp + (uint)_frameSamples);
            if (next >= 0)
            {
                length = _lengths[next];
                _data.AsSpan(next * _maxPayload, length).CopyTo(payload);
            }

            _playoutTimestamp += (uint)_frameSamples;
            if (_hasPlayed)
            {
                _lastPlayedSequence++;
            }

            LostFrames++;
            return JitterBufferResult.Conceal;
        }
    }

    /// <summary>Empties the buffer (a new SSRC).</summary>
    public void Reset()
    {
        lock (_lock)
        {
            Array.Clear(_used);
            _count = 0;
            _playing = false;
            _hasPlayed = false;
            _hasTransit = false;
        }
    }

    private int ToSamples(TimeSpan delay) => (int)(delay.TotalSeconds * _clockRate);

    private int Level()
    {
        if (_count == 0)
        {
            return 0;
        }

        uint newest = _playoutTimestamp;
        for (int i = 0; i < _capacity; i++)
        {
            if (_used[i] && (int)(_timestamps[i] - newest) > 0)
            {
                newest = _timestamps[i];
            }
        }

        return (int)(newest - _playoutTimestamp) + _frameSamples;
    }

    private int Find(uint timestamp)
    {
        for (int i = 0; i < _capacity; i++)
        {
            if (_used[i] && _timestamps[i] == timestamp)
            {
                return i;
            }
        }

        return -1;
    }

    private int Oldest()
    {
        int oldest = -1;
        for (int i = 0; i < _capacity; i++)
        {
            if (_used[i] && (oldest < 0 || (int)(_timestamps[i] - _timestamps[oldest]) < 0))
            {
                oldest = i;
            }
        }

        return oldest;
    }

    private void DropAt(uint timestamp)
    {
        int slot = Find(timestamp);
        if (slot >= 0)
        {
            _used[slot] = false;
            _count--;
            _lastPlayedSequence = _sequences[slot];
        }
    }

    private void UpdateJitter(uint timestamp, long arrivalTimestamp)
    {
        uint arrival = (uint)((UInt128)(ulong)arrivalTimestamp * (ulong)_clockRate / (ulong)_time.TimestampFrequency);
        uint transit = arrival - timestamp;
        if (_hasTransit)
        {
            int d = Math.Abs((int)(transit - _lastTransit));
            if (d < _clockRate)
            {
                _jitterSamples += (d - _jitterSamples) / 16;
            }
        }

        _lastTransit = transit;
        _hasTransit = true;
        int target = (int)Math.Ceiling(4 * _jitterSamples / _frameSamples) * _frameSamples;
        TargetDelaySamples = Math.Clamp(target, _minimumDelaySamples, _maximumDelaySamples);
    }
}
