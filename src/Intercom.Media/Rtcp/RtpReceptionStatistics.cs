namespace Intercom.Media.Rtcp;

/// <summary>
/// Per-source reception state of RFC 3550 Appendix A: sequence validation with probation (A.1), expected/lost counts and the
/// per-interval loss fraction (A.3, §6.4.1) and the interarrival jitter estimate (A.8). Owned by the receive thread.
/// </summary>
public sealed class RtpReceptionStatistics
{
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const int MinSequential = 2;
    private const uint SequenceModulo = 1 << 16;

    private ushort _maxSequence;
    private uint _cycles;
    private uint _baseSequence;
    private uint _badSequence;
    private int _probation;
    private uint _received;
    private uint _expectedPrior;
    private uint _receivedPrior;
    private uint _transit;
    private bool _hasTransit;
    private uint _jitterScaled;
    private bool _started;

    /// <summary>Packets accepted as valid (duplicates included, as in A.1).</summary>
    public uint Received => _received;

    /// <summary>The highest sequence number with the count of wraps in the high 16 bits.</summary>
    public uint ExtendedHighestSequence => _cycles + _maxSequence;

    /// <summary>Packets expected from the base sequence to the highest (A.3).</summary>
    public uint Expected => _started && _probation == 0 ? ExtendedHighestSequence - _baseSequence + 1 : 0;

    /// <summary>Expected minus received, clamped to the 24-bit signed range of a report block (A.3).</summary>
    public int CumulativeLost => (int)Math.Clamp((long)Expected - _received, -0x800000, 0x7FFFFF);

    /// <summary>Interarrival jitter in timestamp units (the value sent in reports).</summary>
    public uint Jitter => _jitterScaled >> 4;

    /// <summary>
    /// Records one packet. <paramref name="arrival"/> is the arrival time expressed in the same clock as the RTP timestamp.
    /// Returns false while the source is on probation or the packet is an out-of-range jump (A.1); such packets are not
    /// counted and should not be played.
    /// </summary>
    public bool Update(ushort sequence, uint rtpTimestamp, uint arrival)
    {
        if (!_started)
        {
            Initialise(sequence);
            _maxSequence = (ushort)(sequence - 1);
            _probation = MinSequential;
            _started = true;
        }

        ushort delta = (ushort)(sequence - _maxSequence);
        if (_probation > 0)
        {
            // A source is valid only after MinSequential packets in sequence.
            if (sequence == (ushort)(_maxSequence + 1))
            {
                _probation--;
                _maxSequence = sequence;
                if (_probation == 0)
                {
                    Initialise(sequence);
                    _received++;
                    UpdateJitter(rtpTimestamp, arrival);
                    return true;
                }
            }
            else
            {
                _probation = MinSequential - 1;
                _maxSequence = sequence;
            }

            return false;
        }

        if (delta < MaxDropout)
        {
            // In order, with a permissible gap; count a wrap of the 16-bit sequence.
            if (sequence < _maxSequence)
            {
                _cycles += SequenceModulo;
            }

            _maxSequence = sequence;
        }
        else if (delta <= SequenceModulo - MaxMisorder)
        {
            // A very large jump: accept it only if the next packet confirms it (the sender restarted).
            if (sequence == _badSequence)
            {
                Initialise(sequence);
            }
            else
            {
                _badSequence = (uint)((sequence + 1) & (SequenceModulo - 1));
                return false;
            }
        }

        // Else: a duplicate or a reordered packet, counted as received.
        _received++;
        UpdateJitter(rtpTimestamp, arrival);
        return true;
    }

    /// <summary>
    /// Builds the report block for this source and starts a new reporting interval (the fraction lost is per interval, A.3).
    /// </summary>
    public RtcpReportBlock CreateReportBlock(uint ssrc, uint lastSenderReport, uint delaySinceLastSenderReport)
    {
        uint expected = Expected;
        uint expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        uint receivedInterval = _received - _receivedPrior;
        _receivedPrior = _received;
        long lostInterval = (long)expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)((lostInterval << 8) / expectedInterval);
        return new RtcpReportBlock(ssrc, fraction, CumulativeLost, ExtendedHighestSequence, Jitter, lastSenderReport,
            delaySinceLastSenderReport);
    }

    /// <summary>Forgets everything (a new SSRC).</summary>
    public void Reset()
    {
        _started = false;
        _hasTransit = false;
        _jitterScaled = 0;
        _received = 0;
        _cycles = 0;
        _expectedPrior = 0;
        _receivedPrior = 0;
    }

    private void Initialise(ushort sequence)
    {
        _baseSequence = sequence;
        _maxSequence = sequence;
        _badSequence = SequenceModulo + 1;
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
    }

    private void UpdateJitter(uint rtpTimestamp, uint arrival)
    {
        // A.8: J += (|D| - J) / 16, kept scaled by 16 in integers. The first packet only sets the reference transit.
        uint transit = arrival - rtpTimestamp;
        if (_hasTransit)
        {
            int d = (int)(transit - _transit);
            if (d < 0)
            {
                d = -d;
            }

            _jitterScaled = (uint)(_jitterScaled + d - ((_jitterScaled + 8) >> 4));
        }

        _transit = transit;
        _hasTransit = true;
    }
}
