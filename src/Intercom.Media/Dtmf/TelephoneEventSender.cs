namespace Intercom.Media.Dtmf;

/// <summary>
/// Produces the RFC 4733 §2.5.1 packet sequence for queued digits: a first packet with the marker bit, continuation packets
/// every packet interval with the same timestamp and a growing duration, then the end packet sent three times (§2.5.1.4).
/// The media send loop asks for one packet per tick and sends audio when none is due. Owned by the send thread.
/// </summary>
public sealed class TelephoneEventSender
{
    private const int EndRepeats = 3;
    private const int MaxQueued = 32;

    private readonly int _samplesPerPacket;
    private readonly byte _volume;
    private readonly byte[] _queue = new byte[MaxQueued];
    private readonly int[] _durations = new int[MaxQueued];
    private int _head;
    private int _count;
    private bool _active;
    private byte _event;
    private int _target;
    private int _duration;
    private int _endsSent;
    private uint _eventTimestamp;

    /// <summary>Creates a sender for packets of <paramref name="samplesPerPacket"/> timestamp units.</summary>
    /// <param name="samplesPerPacket">Packet interval in timestamp units (160 for 20 ms at 8 kHz).</param>
    /// <param name="volume">Power level as a positive number of -dBm0 (0–63); 10 is typical.</param>
    public TelephoneEventSender(int samplesPerPacket, byte volume = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samplesPerPacket);
        _samplesPerPacket = samplesPerPacket;
        _volume = (byte)Math.Min((int)volume, 63);
    }

    /// <summary>True while an event is being sent or digits are waiting.</summary>
    public bool IsActive => _active || _count > 0;

    /// <summary>Queues a digit of <paramref name="durationSamples"/> timestamp units; false if not a DTMF digit or the queue is full.</summary>
    public bool Enqueue(char digit, int durationSamples)
    {
        if (!DtmfEvent.TryGetEventCode(digit, out byte code) || _count == MaxQueued || durationSamples <= 0)
        {
            return false;
        }

        int tail = (_head + _count) % MaxQueued;
        _queue[tail] = code;
        // One packet at least; the 16-bit duration field bounds an event (longer ones would need §2.5.1.3 segments).
        _durations[tail] = Math.Clamp(durationSamples, _samplesPerPacket, ushort.MaxValue);
        _count++;
        return true;
    }

    /// <summary>
    /// The packet for this tick, if any. <paramref name="streamTimestamp"/> is the RTP timestamp audio would carry now; the
    /// event keeps the timestamp of its start (§2.5.1.1). Returns false when audio should be sent instead.
    /// </summary>
    public bool TryNextPacket(uint streamTimestamp, out TelephoneEvent payload, out uint timestamp, out bool marker)
    {
        marker = false;
        if (!_active)
        {
            if (_count == 0)
            {
                payload = default;
                timestamp = streamTimestamp;
                return false;
            }

            _event = _queue[_head];
            _target = _durations[_head];
            _head = (_head + 1) % MaxQueued;
            _count--;
            _active = true;
            _duration = _samplesPerPacket;
            _endsSent = 0;
            _eventTimestamp = streamTimestamp;
            marker = true;
        }
        else if (_endsSent == 0)
        {
            _duration = Math.Min(_duration + _samplesPerPacket, _target);
        }

        bool end = _duration >= _target;
        if (end)
        {
            _endsSent++;
            if (_endsSent == EndRepeats)
            {
                _active = false;
            }
        }

        payload = new TelephoneEvent(_event, end, _volume, (ushort)_duration);
        timestamp = _eventTimestamp;
        return true;
    }
}
