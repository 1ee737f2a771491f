using BenchmarkDotNet.Attributes;
using Intercom.Media.Codecs;
using Intercom.Media.Jitter;
using Intercom.Media.Rtp;
using Intercom.Media.Srtp;

namespace Intercom.Benchmarks;

/// <summary>
/// One 20 ms frame through the media path, without the socket: send = PCM → encode → RTP header (→ SRTP protect);
/// receive = (SRTP unprotect →) RTP parse → jitter buffer put/get → decode. The steady state must allocate nothing.
/// The receive benchmarks write the peer's RTP header per frame, and the SRTP ones protect it first (the replay window
/// rejects a packet seen twice), so they measure protect + unprotect.
/// </summary>
public abstract class MediaFramePath
{
    private static readonly byte[] MasterKey = [.. Enumerable.Range(1, 30).Select(i => (byte)i)];

    private readonly byte[] _payload = new byte[1500];
    private readonly byte[] _packet = new byte[1500];
    private readonly byte[] _playout = new byte[1500];
    private short[] _pcm8 = [];
    private short[] _pcm16 = [];
    private short[] _decoded = new short[960];
    private G711Encoder _g711Encoder = null!;
    private G711Decoder _g711Decoder = null!;
    private OpusAudioEncoder _opusEncoder = null!;
    private OpusAudioDecoder _opusDecoder = null!;
    private SrtpContext _protect = null!;
    private SrtpContext _unprotect = null!;
    private SteppedClock _clock = null!;
    private JitterBuffer _g711Jitter = null!;
    private JitterBuffer _opusJitter = null!;
    private int _g711PayloadLength;
    private int _opusPayloadLength;
    private readonly byte[] _g711Encoded = new byte[1500];
    private readonly byte[] _opusEncoded = new byte[1500];
    private ushort _sequence;
    private uint _timestamp;

    /// <summary>True: Concentus may use the system libopus; false: its managed port .</summary>
    public virtual bool NativeOpus { get; set; } = true;

    [GlobalSetup]
    public void Setup()
    {
        _pcm8 = [.. Enumerable.Range(0, 160).Select(n => (short)(8000 * Math.Sin(2 * Math.PI * 440 * n / 8000)))];
        _pcm16 = [.. Enumerable.Range(0, 320).Select(n => (short)(8000 * Math.Sin(2 * Math.PI * 440 * n / 16000)))];
        _decoded = new short[960];
        _g711Encoder = new G711Encoder(aLaw: false);
        _g711Decoder = new G711Decoder(aLaw: false);
        _opusEncoder = new OpusAudioEncoder(16000, 24000, inbandFec: true, useNativeLibrary: NativeOpus);
        _opusDecoder = new OpusAudioDecoder(16000, useNativeLibrary: NativeOpus);
        _protect = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey);
        _unprotect = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey);
        _clock = new SteppedClock();
        _g711Jitter = new JitterBuffer(_clock, 8000, 160);
        _opusJitter = new JitterBuffer(_clock, 48000, 960);
        _g711PayloadLength = _g711Encoder.Encode(_pcm8, _g711Encoded);
        _opusPayloadLength = _opusEncoder.Encode(_pcm16, _opusEncoded);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _opusEncoder.Dispose();
        _opusDecoder.Dispose();
        _protect.Dispose();
        _unprotect.Dispose();
    }

    /// <summary>G.711 send.</summary>
    protected int G711Send(bool protect) => Send(_g711Encoder, _pcm8, 0, 160, protect);

    /// <summary>G.711 receive.</summary>
    protected int G711Receive(bool srtp) => Receive(_g711Encoded, _g711PayloadLength, _g711Decoder, _g711Jitter, 0, 160, srtp);

    /// <summary>Opus send.</summary>
    protected int OpusSend(bool protect) => Send(_opusEncoder, _pcm16, 111, 960, protect);

    /// <summary>Opus receive.</summary>
    protected int OpusReceive(bool srtp) => Receive(_opusEncoded, _opusPayloadLength, _opusDecoder, _opusJitter, 111, 960, srtp);

    private int Send(IAudioEncoder encoder, short[] pcm, byte payloadType, int samples, bool protect)
    {
        int payloadLength = encoder.Encode(pcm, _payload);
        int length = new RtpHeader(payloadType, _sequence++, _timestamp += (uint)samples, 0x1234_5678).Write(_payload.AsSpan(0, payloadLength), _packet);
        return protect ? _protect.Protect(_packet, length) : length;
    }

    private int Receive(byte[] encoded, int encodedLength, IAudioDecoder decoder, JitterBuffer jitter, byte payloadType, int samples, bool srtp)
    {
        // The peer's packet: its payload was encoded once in setup; the header (and SRTP protect) is redone per frame.
        int length = new RtpHeader(payloadType, _sequence++, _timestamp += (uint)samples, 0x1234_5678).Write(encoded.AsSpan(0, encodedLength), _packet);
        if (srtp)
        {
            length = _protect.Protect(_packet, length);
        }

        if (srtp && !_unprotect.TryUnprotect(_packet, length, out length))
        {
            return -1;
        }

        if (!RtpPacket.TryParse(_packet.AsSpan(0, length), out RtpPacket packet, out _))
        {
            return -2;
        }

        _clock.Advance(TimeSpan.FromMilliseconds(20));
        jitter.Put(packet.Header.SequenceNumber, packet.Header.Timestamp, packet.Payload, _clock.GetTimestamp());
        return jitter.Get(_playout, out int playoutLength) switch
        {
            JitterBufferResult.Frame => decoder.Decode(_playout.AsSpan(0, playoutLength), _decoded.AsSpan(0, decoder.SampleRate / 50)),
            JitterBufferResult.Conceal => decoder.Conceal(_playout.AsSpan(0, playoutLength), _decoded.AsSpan(0, decoder.SampleRate / 50)),
            _ => 0,
        };
    }

    /// <summary>A clock that moves only when told, so the jitter buffer sees packets exactly 20 ms apart.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan step) => _ticks += step.Ticks;
    }
}
