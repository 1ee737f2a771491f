using Intercom.Dsp;
using Intercom.Media.Codecs;
using Intercom.Media.Dtmf;
using Intercom.Media.Jitter;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;

namespace Intercom.Media.Streams;

/// <summary>
/// One call's audio between the sound device and RTP (pjmedia's stream, baresip's audio.c):
/// <list type="bullet">
/// <item>send, on the capture thread: device frame → resample to the codec's rate → encode one packet time → RTP session
/// (which adds the header and protects with SRTP when keyed), with queued RFC 4733 digits sent in place of audio;</item>
/// <item>receive, on the RTP thread: audio payloads into the jitter buffer, RFC 4733 events to <see cref="DigitReceived"/>;</item>
/// <item>playout, on the speaker's thread: jitter buffer → decode or conceal → in-band DTMF detection → resample to the
/// device's rate → the frame the speaker asked for.</item>
/// </list>
/// A digit that arrives by two paths (events and tones) is reported once. When the peer should be sending and no RTP came
/// for <see cref="AudioStreamOptions.MediaTimeout"/>, <see cref="MediaTimedOut"/> is raised once, so the call can end.
/// The steady per-frame paths allocate nothing; <see cref="Apply"/> (after each offer/answer) may.
/// </summary>
public sealed class AudioStream : IRtpPacketReceiver, IDisposable
{
    // The longest packet decoded or encoded: 120 ms at 48 kHz (RFC 6716 §2.1.4), and the largest G.711/G.722 payload a
    // 1500-byte datagram can carry.
    private const int MaxCodecSamples = 5760;
    private const int MaxPayload = 1500;
    private const int MaxDigitsPerFrame = 4;

    private readonly IRtpPacketSender _sender;
    private readonly AudioStreamOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _sendLock = new();
    private readonly Lock _playLock = new();
    private readonly Lock _digitLock = new();
    private readonly DtmfDeduplicator _deduplicator;
    private readonly TelephoneEventReceiver _eventReceiver = new();
    private readonly ITimer? _timeoutTimer;

    // Send side: owned by the capture thread under _sendLock.
    private readonly short[] _sendResampled = new short[MaxCodecSamples];
    private readonly short[] _sendFifo = new short[2 * MaxCodecSamples];
    private readonly byte[] _payload = new byte[MaxPayload];
    private MediaFormat? _sendFormat;
    private IAudioEncoder? _encoder;
    private Resampler? _captureResampler;
    private TelephoneEventSender? _eventSender;
    private byte _sendPayloadType;
    private byte _sendEventPayloadType;
    private int _packetSamples;
    private uint _timestampStep;
    private uint _timestamp;
    private int _sendFill;
    private bool _sending;
    private bool _marker = true;

    // Playout side: owned by the speaker's thread under _playLock.
    private readonly byte[] _playout = new byte[MaxPayload];
    private readonly short[] _decoded = new short[2 * MaxCodecSamples];
    private readonly char[] _digits = new char[MaxDigitsPerFrame];
    private MediaFormat? _receiveFormat;
    private IAudioDecoder? _decoder;
    private Resampler? _playbackResampler;
    private DtmfDetector? _detector;
    private int _concealSamples;
    private int _decodedFill;
    private volatile bool _resetDecoder;

    // Shared: what the RTP thread needs, swapped whole by Apply.
    private volatile ReceiveState? _receive;
    private volatile bool _expectMedia;
    private long _lastArrival;
    private int _timedOut;
    private bool _disposed;

    private long _audioPacketsSent;
    private long _eventPacketsSent;
    private long _audioPacketsReceived;
    private long _eventPacketsReceived;
    private long _otherPacketsReceived;
    private long _framesDecoded;
    private long _framesConcealed;
    private long _inBandDigits;

    /// <summary>Creates a stream that sends through <paramref name="sender"/>; nothing flows before <see cref="Apply"/>.</summary>
    public AudioStream(IRtpPacketSender sender, AudioStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _sender = sender;
        _options = options;
        _time = options.Time;
        _deduplicator = new DtmfDeduplicator(_time);
        _timestamp = (uint)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);
        _lastArrival = _time.GetTimestamp();
        if (options.MediaTimeout > TimeSpan.Zero)
        {
            // Checked four times per timeout (at most once a second): the call ends within 1.25 timeouts at worst.
            var period = TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, options.MediaTimeout.Ticks / 4));
            _timeoutTimer = _time.CreateTimer(static s => ((AudioStream)s!).CheckTimeout(), this, period, period);
        }
    }

    /// <summary>
    /// A digit from the peer, once per key press whichever path carried it: RFC 4733 events (raised on the RTP thread) or
    /// tones in the audio (raised on the speaker's thread). Handlers must be quick and must not block.
    /// </summary>
    public event Action<char, DtmfSource>? DigitReceived;

    /// <summary>The peer should be sending but no RTP came for the configured time (raised once, on a timer thread).</summary>
    public event Action? MediaTimedOut;

    /// <summary>The sample rate of device frames.</summary>
    public int DeviceSampleRate => _options.DeviceSampleRate;

    /// <summary>Samples per device frame.</summary>
    public int DeviceFrameSamples => _options.DeviceFrameSamples;

    /// <summary>True once the media timeout fired.</summary>
    public bool HasTimedOut => Volatile.Read(ref _timedOut) != 0;

    /// <summary>
    /// Configures the stream from a completed offer/answer (codec, payload types, packet time, telephone-events, direction).
    /// The RTP session must have been given the same <paramref name="media"/> (addresses, SRTP keys). Codecs are created
    /// only when the codec changes, so a re-INVITE for hold keeps their state.
    /// </summary>
    public void Apply(NegotiatedMedia media)
    {
        ArgumentNullException.ThrowIfNull(media);
        MediaFormat format = media.SendFormat;
        if (!AudioCodecs.IsSupported(format))
        {
            throw new ArgumentException($"no codec for {format.EncodingName}/{format.ClockRate}", nameof(media));
        }

        bool opus = string.Equals(format.EncodingName, "opus", StringComparison.OrdinalIgnoreCase);
        int opusRate = _options.DeviceSampleRate == 48000 ? 48000 : 16000;
        int packetTime = SendPacketTime(media.PacketTime, opus);
        lock (_sendLock)
        {
            if (_disposed)
            {
                return;
            }

            if (_sendFormat is null || !_sendFormat.Matches(format) || _packetSamples == 0)
            {
                _encoder?.Dispose();
                _encoder = AudioCodecs.CreateEncoder(format, opusRate, _options.OpusBitrate);
                _captureResampler = _encoder.SampleRate == _options.DeviceSampleRate ? null : new Resampler(_options.DeviceSampleRate, _encoder.SampleRate, _options.DeviceFrameSamples);
                _sendFill = 0;
                _marker = true;
            }

            _sendFormat = format;
            _sendPayloadType = (byte)format.PayloadType;
            _packetSamples = _encoder!.SampleRate * packetTime / 1000;
            _timestampStep = (uint)AudioCodecs.TimestampUnitsPerFrame(format, packetTime);
            _eventSender = media.SendTelephoneEventPayloadType is int eventType ? new TelephoneEventSender((int)_timestampStep) : null;
            _sendEventPayloadType = (byte)(media.SendTelephoneEventPayloadType ?? 0);
            _sending = (media.Direction & MediaDirection.SendOnly) != 0;
        }

        // The peer's packets last what it asked us to send (its a=ptime), which is what the jitter buffer steps by.
        int receivePacketTime = Math.Clamp(media.PacketTime, 10, 120);
        int frameUnits = AudioCodecs.TimestampUnitsPerFrame(format, receivePacketTime);
        ReceiveState? current = _receive;
        JitterBuffer jitter = current is not null && current.FrameUnits == frameUnits && current.ClockRate == format.ClockRate
            ? current.Jitter
            : new JitterBuffer(_time, format.ClockRate, frameUnits, maxPayload: MaxPayload,
                minimumDelay: _options.JitterMinimumDelay, maximumDelay: _options.JitterMaximumDelay);
        lock (_playLock)
        {
            if (_disposed)
            {
                return;
            }

            if (_receiveFormat is null || !_receiveFormat.Matches(format))
            {
                _decoder?.Dispose();
                _decoder = AudioCodecs.CreateDecoder(format, opusRate);
                _playbackResampler = _decoder.SampleRate == _options.DeviceSampleRate ? null : new Resampler(_decoder.SampleRate, _options.DeviceSampleRate, _options.DeviceFrameSamples * _decoder.SampleRate / _options.DeviceSampleRate);
                _decodedFill = 0;
            }

            _receiveFormat = format;
            _concealSamples = _decoder!.SampleRate * receivePacketTime / 1000;
            bool detect = _options.InBandDtmf == InBandDtmfMode.Always
                || (_options.InBandDtmf == InBandDtmfMode.Auto && media.ReceiveTelephoneEventPayloadType is null);
            if (!detect)
            {
                _detector = null;
            }
            else if (_detector is null || current?.DecodeRate != _decoder.SampleRate)
            {
                _detector = new DtmfDetector(_decoder.SampleRate);
            }

            _receive = new ReceiveState(media.ReceivePayloadType, media.ReceiveTelephoneEventPayloadType ?? -1, jitter, frameUnits,
                format.ClockRate, _decoder.SampleRate);
        }

        // Timeout counting starts over with each agreement (a resumed call gets a full timeout to send again). Only a
        // two-way stream is expected to carry the peer's packets: a peer that holds us (RFC 3264 §8.4) offers sendonly
        // or inactive, and many phones send nothing while holding even when they offer sendonly (their music on hold
        // off), so a held call waits for the resume (sendrecv again) instead of ending as dead after the timeout.
        Volatile.Write(ref _lastArrival, _time.GetTimestamp());
        _expectMedia = media.Direction == MediaDirection.SendReceive;
    }

    /// <summary>
    /// One captured device frame (<see cref="DeviceFrameSamples"/> samples at <see cref="DeviceSampleRate"/>); sends a packet
    /// whenever a packet time of audio has gathered. Call from one thread (the capture thread); allocation-free.
    /// </summary>
    public void SendFrame(ReadOnlySpan<short> frame)
    {
        lock (_sendLock)
        {
            IAudioEncoder? encoder = _encoder;
            if (encoder is null || frame.Length != _options.DeviceFrameSamples)
            {
                return;
            }

            int converted = frame.Length;
            if (_captureResampler is null)
            {
                frame.CopyTo(_sendResampled);
            }
            else
            {
                converted = _captureResampler.Process(frame, _sendResampled);
            }

            if (_sendFill + converted > _sendFifo.Length)
            {
                _sendFill = 0;
            }

            _sendResampled.AsSpan(0, converted).CopyTo(_sendFifo.AsSpan(_sendFill));
            _sendFill += converted;
            while (_sendFill >= _packetSamples)
            {
                SendPacket(encoder, _sendFifo.AsSpan(0, _packetSamples));
                _sendFill -= _packetSamples;
                _sendFifo.AsSpan(_packetSamples, _sendFill).CopyTo(_sendFifo);
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="frame"/> (<see cref="DeviceFrameSamples"/> samples) with the peer's audio for the speaker:
    /// decoded, concealed over losses, silence while buffering. Call from one thread (the playback thread); allocation-free.
    /// </summary>
    public void ReadFrame(Span<short> frame)
    {
        lock (_playLock)
        {
            ReceiveState? state = _receive;
            IAudioDecoder? decoder = _decoder;
            if (state is null || decoder is null || frame.Length != _options.DeviceFrameSamples)
            {
                frame.Clear();
                return;
            }

            if (_resetDecoder)
            {
                _resetDecoder = false;
                decoder.Reset();
                _detector?.Reset();
                _decodedFill = 0;
            }

            int needed = frame.Length * decoder.SampleRate / _options.DeviceSampleRate;
            while (_decodedFill < needed && PlayOutPacket(state.Jitter, decoder))
            {
            }

            Span<short> pcm = _decoded.AsSpan(0, needed);
            if (_decodedFill < needed)
            {
                // Buffering (or the peer is silent): what is left of the last packet, then silence.
                pcm[_decodedFill..].Clear();
                _decodedFill = needed;
            }

            if (_detector is not null)
            {
                int found = _detector.Process(pcm, _digits);
                for (int i = 0; i < found; i++)
                {
                    Interlocked.Increment(ref _inBandDigits);
                    Report(_digits[i], DtmfSource.InBand);
                }
            }

            if (_playbackResampler is null)
            {
                pcm.CopyTo(frame);
            }
            else if (_playbackResampler.Process(pcm, frame) != frame.Length)
            {
                frame.Clear();
            }

            _decodedFill -= needed;
            _decoded.AsSpan(needed, _decodedFill).CopyTo(_decoded);
        }
    }

    /// <summary>Queues a digit to send as RFC 4733 events; false when telephone-event was not agreed or the queue is full.</summary>
    public bool SendDigit(char digit)
    {
        lock (_sendLock)
        {
            if (_eventSender is null || _sendFormat is null)
            {
                return false;
            }

            int units = (int)(_options.DigitDuration.TotalSeconds * _sendFormat.ClockRate);
            return _eventSender.Enqueue(digit, units);
        }
    }

    /// <summary>
    /// Starts the media timeout over from now (and re-arms it if it fired): the call layer calls it when the call is
    /// answered, so early media agreed while ringing (a 183 whose peer sends nothing) does not count against the call.
    /// </summary>
    public void RestartMediaTimeout()
    {
        Volatile.Write(ref _lastArrival, _time.GetTimestamp());
        Volatile.Write(ref _timedOut, 0);
    }

    /// <summary>A digit the signalling carried (SIP INFO): reported unless the same press already came by RTP or tones.</summary>
    public void ReportSignalledDigit(char digit) => Report(digit, DtmfSource.SipInfo);

    /// <summary>Counters so far.</summary>
    public AudioStreamStatistics GetStatistics()
    {
        JitterBuffer? jitter = _receive?.Jitter;
        ReceiveState? state = _receive;
        return new AudioStreamStatistics
        {
            Codec = _sendFormat?.EncodingName ?? string.Empty,
            AudioPacketsSent = Interlocked.Read(ref _audioPacketsSent),
            EventPacketsSent = Interlocked.Read(ref _eventPacketsSent),
            AudioPacketsReceived = Interlocked.Read(ref _audioPacketsReceived),
            EventPacketsReceived = Interlocked.Read(ref _eventPacketsReceived),
            OtherPacketsReceived = Interlocked.Read(ref _otherPacketsReceived),
            FramesDecoded = Interlocked.Read(ref _framesDecoded),
            FramesConcealed = Interlocked.Read(ref _framesConcealed),
            LatePackets = jitter?.LatePackets ?? 0,
            DroppedFrames = jitter?.DroppedFrames ?? 0,
            LostFrames = jitter?.LostFrames ?? 0,
            JitterTargetDelay = jitter?.TargetDelay ?? TimeSpan.Zero,
            Jitter = jitter is null || state is null ? TimeSpan.Zero : TimeSpan.FromSeconds(jitter.JitterSamples / state.ClockRate),
            InBandDigitsDetected = Interlocked.Read(ref _inBandDigits),
            SinceLastPacket = _time.GetElapsedTime(Volatile.Read(ref _lastArrival)),
        };
    }

    void IRtpPacketReceiver.OnRtpPacket(RtpPacket packet, long arrivalTimestamp)
    {
        Volatile.Write(ref _lastArrival, arrivalTimestamp);
        ReceiveState? state = _receive;
        if (state is null)
        {
            return;
        }

        int payloadType = packet.Header.PayloadType;
        if (payloadType == state.AudioPayloadType)
        {
            if (state.Jitter.Put(packet.Header.SequenceNumber, packet.Header.Timestamp, packet.Payload, arrivalTimestamp))
            {
                Interlocked.Increment(ref _audioPacketsReceived);
            }
        }
        else if (payloadType == state.EventPayloadType)
        {
            Interlocked.Increment(ref _eventPacketsReceived);
            if (_eventReceiver.Process(packet.Header.Timestamp, packet.Payload) == TelephoneEventResult.Started
                && _eventReceiver.Current.Event < DtmfEvent.Flash)
            {
                Report(_eventReceiver.CurrentDigit, DtmfSource.RtpEvent);
            }
        }
        else
        {
            // Comfort noise (RFC 3389) and anything else the session let through: counted, not played.
            Interlocked.Increment(ref _otherPacketsReceived);
        }
    }

    void IRtpPacketReceiver.OnSourceChanged(uint ssrc)
    {
        // RFC 3550 §8.2: a new source is a new stream: its sequence numbers, timestamps and codec state start over.
        _eventReceiver.Reset();
        _receive?.Jitter.Reset();
        _resetDecoder = true;
    }

    /// <summary>Stops the timeout timer and frees the codecs; frames given afterwards are ignored.</summary>
    public void Dispose()
    {
        _timeoutTimer?.Dispose();
        lock (_sendLock)
        {
            _disposed = true;
            _encoder?.Dispose();
            _encoder = null;
        }

        lock (_playLock)
        {
            _decoder?.Dispose();
            _decoder = null;
            _receive = null;
        }
    }

    private static int SendPacketTime(int requested, bool opus)
    {
        int ms = Math.Clamp(requested, 10, 60);
        // Opus frames last 2.5, 5, 10, 20, 40 or 60 ms (RFC 6716 §2.1.4); G.711 and G.722 any multiple of a sample.
        return opus && ms is not (10 or 20 or 40 or 60) ? 20 : ms;
    }

    private void SendPacket(IAudioEncoder encoder, ReadOnlySpan<short> pcm)
    {
        uint timestamp = _timestamp;
        _timestamp += _timestampStep;
        if (!_sending)
        {
            // Held (sendonly peer, inactive): time goes on, nothing is sent; the next packet starts a talkspurt.
            _marker = true;
            return;
        }

        // RFC 4733 §2.5.1.2: while a digit is being sent its events replace the audio.
        if (_eventSender is not null && _eventSender.TryNextPacket(timestamp, out TelephoneEvent tone, out uint eventTimestamp, out bool eventMarker))
        {
            tone.Write(_payload);
            if (_sender.Send(_sendEventPayloadType, eventTimestamp, eventMarker, _payload.AsSpan(0, TelephoneEvent.Size)))
            {
                Interlocked.Increment(ref _eventPacketsSent);
            }

            _marker = true;
            return;
        }

        int length = encoder.Encode(pcm, _payload);
        if (length > 0 && _sender.Send(_sendPayloadType, timestamp, _marker, _payload.AsSpan(0, length)))
        {
            Interlocked.Increment(ref _audioPacketsSent);
            _marker = false;
        }
    }

    private bool PlayOutPacket(JitterBuffer jitter, IAudioDecoder decoder)
    {
        Span<short> free = _decoded.AsSpan(_decodedFill);
        if (free.Length < MaxCodecSamples)
        {
            return false;
        }

        switch (jitter.Get(_playout, out int length))
        {
            case JitterBufferResult.Frame:
                int decoded = decoder.Decode(_playout.AsSpan(0, length), free);
                if (decoded > 0)
                {
                    _decodedFill += decoded;
                    Interlocked.Increment(ref _framesDecoded);
                    return true;
                }

                // An undecodable payload is a lost frame.
                goto case JitterBufferResult.Conceal;
            case JitterBufferResult.Conceal:
                int concealed = decoder.Conceal(_playout.AsSpan(0, length), free[.._concealSamples]);
                _decodedFill += concealed > 0 ? concealed : 0;
                Interlocked.Increment(ref _framesConcealed);
                return concealed > 0;
            default:
                return false;
        }
    }

    private void Report(char digit, DtmfSource source)
    {
        bool report;
        lock (_digitLock)
        {
            report = _deduplicator.ShouldReport(digit, source);
        }

        if (report)
        {
            DigitReceived?.Invoke(digit, source);
        }
    }

    private void CheckTimeout()
    {
        if (!_expectMedia || Volatile.Read(ref _timedOut) != 0 || _receive is null)
        {
            return;
        }

        if (_time.GetElapsedTime(Volatile.Read(ref _lastArrival)) >= _options.MediaTimeout && Interlocked.Exchange(ref _timedOut, 1) == 0)
        {
            MediaTimedOut?.Invoke();
        }
    }

    private sealed class ReceiveState(int audioPayloadType, int eventPayloadType, JitterBuffer jitter, int frameUnits, int clockRate, int decodeRate)
    {
        public int AudioPayloadType { get; } = audioPayloadType;

        public int EventPayloadType { get; } = eventPayloadType;

        public JitterBuffer Jitter { get; } = jitter;

        public int FrameUnits { get; } = frameUnits;

        public int ClockRate { get; } = clockRate;

        public int DecodeRate { get; } = decodeRate;
    }
}
