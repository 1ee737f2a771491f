using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Media.Streams;
using Intercom.Media.Turn;

namespace Intercom.Benchmarks;

/// <summary>
/// One 20 ms device frame (16 kHz, the default audio configuration) through the product's own call-audio path:
/// <list type="bullet">
/// <item>send: <see cref="AudioStream.SendFrame"/> → resample to the codec's rate → encode → <see cref="RtpSession.Send"/>
/// (header, SRTP protect, sendto on a loopback socket to a bound sink that nobody reads);</item>
/// <item>receive: the peer's packet (its header rewritten, and SRTP-protected, per frame: the peer's cost, inside the
/// measurement) → the session's receive path as the socket thread runs it (SRTP unprotect, parse, payload filter, latch,
/// reception statistics) → the stream's jitter buffer → <see cref="AudioStream.ReadFrame"/> as the speaker pulls it
/// (decode, resample to 16 kHz).</item>
/// </list>
/// The steady state must allocate nothing.
/// </summary>
public abstract class MediaFramePath
{
    private const int DeviceRate = 16000;
    private static readonly byte[] MasterKey = [.. Enumerable.Range(1, 30).Select(i => (byte)i)];

    private readonly short[] _capture = new short[DeviceRate / 50];
    private readonly short[] _played = new short[DeviceRate / 50];
    private readonly byte[] _packet = new byte[1500];
    private readonly byte[] _peerPayload = new byte[1500];
    private readonly byte[] _frame = new byte[1500];
    private Socket _sink = null!;
    private BenchmarkTurnServer? _turn;
    private SocketAddress? _turnAddress;
    private ushort _channel;
    private SteppedClock _clock = null!;
    private RtpSession _session = null!;
    private AudioStream _stream = null!;
    private SrtpContext? _peerProtect;
    private SocketAddress _peerAddress = null!;
    private int _peerPayloadLength;
    private ushort _peerSequence;
    private uint _peerTimestamp;
    private uint _peerStep;
    private byte _payloadType;

    /// <summary>Sets up one call: a bound RTP session, the negotiated codec, and the peer's encoded payload.</summary>
    /// <param name="ice">
    /// Media under ICE with a selected pair (RFC 8445 §12): the session sends to and takes packets only from the pair's
    /// remote address, as a call does once its agent nominated one.
    /// </param>
    /// <param name="relayed">
    /// The selected pair is relayed (TURN, RFC 8656): our RTP leaves as ChannelData to a loopback server, and the peer's
    /// arrives as ChannelData from it, unwrapped by the session's TURN route before the receive path.
    /// </param>
    protected void Setup(MediaFormat format, bool srtp, bool ice = false, bool relayed = false)
    {
        for (int n = 0; n < _capture.Length; n++)
        {
            _capture[n] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * n / DeviceRate));
        }

        _sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var peer = (IPEndPoint)_sink.LocalEndPoint!;
        _peerAddress = peer.Serialize();
        _clock = new SteppedClock();
        // No RTCP report during the run: its timer thread would be measured with the frame path.
        _session = RtpSession.Bind(new RtpSessionOptions
        {
            LocalAddress = IPAddress.Loopback, PortRangeStart = 42000, PortRangeEnd = 42999, Time = _clock, RtcpInterval = TimeSpan.FromHours(1),
        });
        var keys = srtp ? new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey, MasterKey) : null;
        var media = new NegotiatedMedia
        {
            RemoteRtp = peer,
            RemoteHost = "127.0.0.1",
            RemoteRtpPort = peer.Port,
            RemoteRtcp = peer,
            SendFormat = format,
            ReceivePayloadType = format.PayloadType,
            SendTelephoneEventPayloadType = 101,
            ReceiveTelephoneEventPayloadType = 101,
            Direction = MediaDirection.SendReceive,
            PacketTime = 20,
            RtcpMux = true,
            Srtp = keys,
        };
        _stream = new AudioStream(_session, new AudioStreamOptions
        {
            DeviceSampleRate = DeviceRate,
            DeviceFrameSamples = DeviceRate / 50,
            MediaTimeout = TimeSpan.Zero,
            Time = _clock,
        });
        _session.Apply(media);
        if (relayed)
        {
            _turn = new BenchmarkTurnServer();
            _turnAddress = _turn.EndPoint.Serialize();
            var relay = new TurnIceRelay(new TurnAllocation(_session, _turn.EndPoint, new TurnCredentials("u", "p")));
            _session.UseTurnRelay(relay);
            _session.StartReceiving();
            relay.Allocation.AllocateAsync().Wait(TimeSpan.FromSeconds(10));
            _channel = relay.Allocation.BindChannelAsync(peer).Result;
            _session.EnableIce();
            _session.UseIcePair(peer, relay);
        }
        else if (ice)
        {
            _session.EnableIce();
            _session.UseIcePair(peer);
        }

        _stream.Apply(media);
        _session.Start(_stream);
        _peerProtect = srtp ? new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey) : null;
        _payloadType = (byte)format.PayloadType;
        _peerStep = (uint)(format.ClockRate / 50);

        // The peer's payload: what our own encoder makes of the tone (its content does not change the decode cost much).
        using var encoder = Intercom.Media.Codecs.AudioCodecs.CreateEncoder(format);
        var pcm = new short[encoder.SampleRate / 50];
        for (int n = 0; n < pcm.Length; n++)
        {
            pcm[n] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * n / encoder.SampleRate));
        }

        _peerPayloadLength = encoder.Encode(pcm, _peerPayload);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stream.Dispose();
        _session.TurnRelay?.Dispose();
        _session.Dispose();
        _turn?.Dispose();
        _sink.Dispose();
        _peerProtect?.Dispose();
    }

    /// <summary>One captured frame sent.</summary>
    protected long Send()
    {
        _stream.SendFrame(_capture);
        return _session.PacketsSent;
    }

    /// <summary>One peer packet received and one speaker frame played.</summary>
    protected short Receive()
    {
        int length = new RtpHeader(_payloadType, _peerSequence++, _peerTimestamp += _peerStep, 0x1234_5678).Write(_peerPayload.AsSpan(0, _peerPayloadLength), _packet);
        if (_peerProtect is not null)
        {
            length = _peerProtect.Protect(_packet, length);
        }

        _clock.Advance(TimeSpan.FromMilliseconds(20));
        if (_turnAddress is not null)
        {
            // As the TURN server relays it (§12.4: channel number, length, the datagram unpadded over UDP).
            _frame[0] = (byte)(_channel >> 8);
            _frame[1] = (byte)_channel;
            _frame[2] = (byte)(length >> 8);
            _frame[3] = (byte)length;
            _packet.AsSpan(0, length).CopyTo(_frame.AsSpan(4));
            _session.HandleFromTurnServer(_frame, length + 4, _turnAddress);
        }
        else
        {
            _session.HandleRtp(_packet, length, _peerAddress);
        }

        _stream.ReadFrame(_played);
        return _played[100];
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
