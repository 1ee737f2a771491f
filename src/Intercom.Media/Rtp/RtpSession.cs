using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Intercom.Media.Rtcp;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;

namespace Intercom.Media.Rtp;

/// <summary>
/// One RTP session over UDP (RFC 3550): an even RTP port and the odd RTCP port after it from a configured range (RTCP
/// moves onto the RTP port when rtcp-mux is negotiated, RFC 5761), symmetric RTP (RFC 4961: we send to where the peer's
/// packets really come from, latched on the first valid packet), SSRC change detection, SRTP when keyed, RTCP SR/RR with
/// SDES CNAME on a randomised timer and a BYE at the end. The send path is called from one media thread and allocates
/// nothing; receiving runs on its own threads and hands packets to an <see cref="IRtpPacketReceiver"/>.
/// </summary>
public sealed class RtpSession : IRtpPacketSender, IDisposable
{
    private const int BufferSize = 2048;
    private const byte ComfortNoisePayloadType = 13;

    private readonly RtpSessionOptions _options;
    private readonly Socket _rtpSocket;
    private readonly Socket _rtcpSocket;
    private readonly byte[] _sendBuffer = new byte[BufferSize];
    private readonly byte[] _rtcpSendBuffer = new byte[BufferSize];
    private readonly byte[] _cname;
    private readonly RtpReceptionStatistics _statistics = new();
    private readonly Lock _statisticsLock = new();
    private readonly Lock _rtcpLock = new();
    private readonly ITimer _rtcpTimer;
    private readonly IPEndPoint _endPointTemplate;

    private IRtpPacketReceiver? _receiver;
    private Thread? _rtpThread;
    private Thread? _rtcpThread;
    private volatile bool _stopping;

    private volatile SocketAddress? _remoteRtp;
    private volatile SocketAddress? _remoteRtcp;
    private volatile bool _rtcpMux;
    private volatile bool _latched;
    private volatile bool _rtcpLatched;
    private SrtpKeys? _keys;
    private volatile SrtpContext? _srtpSend;
    private volatile SrtpContext? _srtpReceive;
    private volatile SrtpContext? _srtcpSend;
    private volatile SrtpContext? _srtcpReceive;
    private volatile int _receiveClockRate = 8000;
    private volatile int _sendClockRate = 8000;
    private ulong _acceptedLow;
    private ulong _acceptedHigh;

    // Send state: owned by the media send thread, read under _rtcpLock for SRs.
    private ushort _sequence;
    private long _packetsSent;
    private long _octetsSent;
    private uint _lastRtpTimestamp;
    private long _lastSendTime;

    // Receive state: owned by the receive thread.
    private bool _hasRemoteSsrc;
    private uint _remoteSsrc;
    private uint _lastSenderReport;
    private long _lastSenderReportArrival;

    private long _packetsReceived;
    private long _malformedPackets;
    private long _wrongSourcePackets;
    private long _unexpectedPayloadTypes;
    private long _ssrcChanges;
    private long _srtpFailures;
    private long _rtcpPacketsReceived;
    private long _goodbyesReceived;

    private RtpSession(RtpSessionOptions options, Socket rtp, Socket rtcp)
    {
        _options = options;
        _rtpSocket = rtp;
        _rtcpSocket = rtcp;
        Ssrc = options.Ssrc != 0 ? options.Ssrc : (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue) * 2 + 1;
        _sequence = (ushort)RandomNumberGenerator.GetInt32(0, 0x8000);
        _cname = Encoding.UTF8.GetBytes(options.CanonicalName.Length > 255 ? options.CanonicalName[..255] : options.CanonicalName);
        _endPointTemplate = new IPEndPoint(rtp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        _rtcpTimer = options.Time.CreateTimer(static state => ((RtpSession)state!).OnRtcpTimer(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Our SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>The bound RTP port (even).</summary>
    public int RtpPort => ((IPEndPoint)_rtpSocket.LocalEndPoint!).Port;

    /// <summary>The bound RTCP port (RTP port + 1).</summary>
    public int RtcpPort => ((IPEndPoint)_rtcpSocket.LocalEndPoint!).Port;

    /// <summary>Where RTP is sent now (the latched source once the peer's first valid packet arrived).</summary>
    public IPEndPoint? RemoteRtpEndPoint => _remoteRtp is SocketAddress address ? (IPEndPoint)_endPointTemplate.Create(address) : null;

    /// <summary>True once the send address follows the peer's packets.</summary>
    public bool IsLatched => _latched;

    /// <summary>RTP packets sent.</summary>
    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    /// <summary>RTP packets accepted and delivered.</summary>
    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);

    /// <summary>Datagrams that were not valid RTP or RTCP.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformedPackets);

    /// <summary>Packets from an address other than the latched peer.</summary>
    public long WrongSourcePackets => Interlocked.Read(ref _wrongSourcePackets);

    /// <summary>Packets with a payload type that was not negotiated.</summary>
    public long UnexpectedPayloadTypePackets => Interlocked.Read(ref _unexpectedPayloadTypes);

    /// <summary>Times the peer's SSRC changed.</summary>
    public long SsrcChanges => Interlocked.Read(ref _ssrcChanges);

    /// <summary>SRTP/SRTCP packets that failed authentication or replay checks.</summary>
    public long SrtpFailures => Interlocked.Read(ref _srtpFailures);

    /// <summary>Valid RTCP compound packets received.</summary>
    public long RtcpPacketsReceived => Interlocked.Read(ref _rtcpPacketsReceived);

    /// <summary>RTCP BYE packets received from the peer.</summary>
    public long GoodbyesReceived => Interlocked.Read(ref _goodbyesReceived);

    /// <summary>The peer's latest report about our stream (loss, jitter), if any.</summary>
    public RtcpReportBlock? LastRemoteReport { get; private set; }

    /// <summary>Round-trip time from the last report that echoed one of our SRs (RFC 3550 §6.4.1), if known.</summary>
    public TimeSpan? RoundTripTime { get; private set; }

    /// <summary>Binds an even RTP port and the RTCP port after it, trying the range from a random even start.</summary>
    public static RtpSession Bind(RtpSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int first = options.PortRangeStart + (options.PortRangeStart & 1);
        int pairs = (options.PortRangeEnd - first + 1) / 2;
        if (pairs <= 0)
        {
            throw new ArgumentException("the port range holds no even/odd pair", nameof(options));
        }

        int start = RandomNumberGenerator.GetInt32(pairs);
        for (int attempt = 0; attempt < pairs; attempt++)
        {
            int port = first + (2 * ((start + attempt) % pairs));
            Socket? rtp = null;
            Socket? rtcp = null;
            try
            {
                rtp = Open(options.LocalAddress, port);
                rtcp = Open(options.LocalAddress, port + 1);
                return new RtpSession(options, rtp, rtcp);
            }
            catch (SocketException)
            {
                rtp?.Dispose();
                rtcp?.Dispose();
            }
        }

        throw new InvalidOperationException($"no free RTP port pair in {options.PortRangeStart}-{options.PortRangeEnd}");
    }

    /// <summary>
    /// Applies an offer/answer result: the peer's addresses (latching starts over), rtcp-mux, SRTP keys, the clock rate and
    /// the payload types we accept (the codec, telephone-event and comfort noise).
    /// </summary>
    public void Apply(NegotiatedMedia media)
    {
        ArgumentNullException.ThrowIfNull(media);

        // Keys first: a packet that arrives while this runs is then either unfiltered and ignored by the receiver (no
        // agreement yet) or checked with the new keys, never passed on unauthenticated under the new payload filter.
        if (!Equals(media.Srtp, _keys))
        {
            _keys = media.Srtp;
            _srtpSend = media.Srtp is null ? null : new SrtpContext(media.Srtp.Suite, media.Srtp.LocalMasterKey.Span);
            _srtcpSend = media.Srtp is null ? null : new SrtpContext(media.Srtp.Suite, media.Srtp.LocalMasterKey.Span);
            _srtpReceive = media.Srtp is null ? null : new SrtpContext(media.Srtp.Suite, media.Srtp.RemoteMasterKey.Span);
            _srtcpReceive = media.Srtp is null ? null : new SrtpContext(media.Srtp.Suite, media.Srtp.RemoteMasterKey.Span);
        }

        ulong low = 1UL << ComfortNoisePayloadType;
        ulong high = 0;
        Accept(media.ReceivePayloadType, ref low, ref high);
        if (media.ReceiveTelephoneEventPayloadType is int eventType)
        {
            Accept(eventType, ref low, ref high);
        }

        Volatile.Write(ref _acceptedLow, low);
        Volatile.Write(ref _acceptedHigh, high);
        _receiveClockRate = media.SendFormat.ClockRate;
        _sendClockRate = media.SendFormat.ClockRate;
        _rtcpMux = media.RtcpMux;
        _remoteRtp = media.RemoteRtp is null ? null : Serialize(media.RemoteRtp);
        _remoteRtcp = media.RemoteRtcp is null ? null : Serialize(media.RemoteRtcp);
        _latched = false;
        _rtcpLatched = false;
    }

    /// <summary>Starts the receive threads and the RTCP timer.</summary>
    public void Start(IRtpPacketReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        if (_rtpThread is not null)
        {
            throw new InvalidOperationException("already started");
        }

        _receiver = receiver;
        _rtpThread = new Thread(static state => ((RtpSession)state!).ReceiveLoop(rtcpSocket: false)) { IsBackground = true, Name = "rtp-receive" };
        _rtcpThread = new Thread(static state => ((RtpSession)state!).ReceiveLoop(rtcpSocket: true)) { IsBackground = true, Name = "rtcp-receive" };
        _rtpThread.Start(this);
        _rtcpThread.Start(this);
        ScheduleRtcp();
    }

    /// <summary>
    /// Sends one RTP packet with our SSRC and the next sequence number (protected if SRTP is on). Returns false if there is
    /// no peer address yet or the send failed. Allocation-free; call from one thread.
    /// </summary>
    public bool Send(byte payloadType, uint timestamp, bool marker, ReadOnlySpan<byte> payload)
    {
        SocketAddress? remote = _remoteRtp;
        if (remote is null || _stopping)
        {
            return false;
        }

        var header = new RtpHeader(payloadType, _sequence, timestamp, Ssrc, marker);
        int length = header.Write(payload, _sendBuffer);
        SrtpContext? srtp = _srtpSend;
        if (length == 0 || (srtp is not null && (length = srtp.Protect(_sendBuffer, length)) == 0))
        {
            return false;
        }

        _sequence++;
        try
        {
            _rtpSocket.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, remote);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // ICMP unreachable from an earlier datagram, or a send racing Dispose: media goes on or stops quietly.
            return false;
        }

        lock (_rtcpLock)
        {
            _packetsSent++;
            _octetsSent += payload.Length;
            _lastRtpTimestamp = timestamp;
            _lastSendTime = _options.Time.GetTimestamp();
        }

        return true;
    }

    /// <summary>Sends an RTCP compound packet now: SR (if we sent since the start) or RR, then SDES CNAME.</summary>
    public bool SendReport() => SendRtcp(goodbye: false);

    /// <summary>Stops the threads after sending a BYE (RFC 3550 §6.6).</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _rtcpTimer.Dispose();
        SendRtcp(goodbye: true);
        _stopping = true;
        _rtpSocket.Dispose();
        _rtcpSocket.Dispose();
        _rtpThread?.Join(TimeSpan.FromSeconds(2));
        _rtcpThread?.Join(TimeSpan.FromSeconds(2));
        _srtpSend?.Dispose();
        _srtcpSend?.Dispose();
        _srtpReceive?.Dispose();
        _srtcpReceive?.Dispose();
    }

    private static void Accept(int payloadType, ref ulong low, ref ulong high)
    {
        if (payloadType is >= 0 and < 64)
        {
            low |= 1UL << payloadType;
        }
        else if (payloadType is >= 64 and < 128)
        {
            high |= 1UL << (payloadType - 64);
        }
    }

    private static Socket Open(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private SocketAddress Serialize(IPEndPoint endPoint)
    {
        // A dual-stack socket sends to IPv4 peers through their IPv4-mapped IPv6 address.
        if (_rtpSocket.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            endPoint = new IPEndPoint(endPoint.Address.MapToIPv6(), endPoint.Port);
        }

        return endPoint.Serialize();
    }

    private static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(source.Family, source.Size);
        source.Buffer.Span[..source.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    private void ReceiveLoop(bool rtcpSocket)
    {
        Socket socket = rtcpSocket ? _rtcpSocket : _rtpSocket;
        var buffer = new byte[BufferSize];
        var from = new SocketAddress(socket.AddressFamily, SocketAddress.GetMaximumAddressSize(socket.AddressFamily));
        while (!_stopping)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException) when (!_stopping)
            {
                // ICMP port unreachable is reported on the next receive on Linux/Windows; keep listening.
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (rtcpSocket || RtpPacket.LooksLikeRtcp(buffer.AsSpan(0, length)))
            {
                // RTCP arrives on its own port, or on the RTP port once rtcp-mux is agreed (RFC 5761 §4).
                if (rtcpSocket || _rtcpMux)
                {
                    HandleRtcp(buffer, length, from);
                }
                else
                {
                    Interlocked.Increment(ref _malformedPackets);
                }

                continue;
            }

            HandleRtp(buffer, length, from);
        }
    }

    // Internal for the benchmarks, which drive the receive path without the socket.
    internal void HandleRtp(byte[] buffer, int length, SocketAddress from)
    {
        SocketAddress? remote = _remoteRtp;
        if (_latched && remote is not null && !from.Equals(remote))
        {
            Interlocked.Increment(ref _wrongSourcePackets);
            return;
        }

        // Check the header before spending a MAC on it, then authenticate (SRTP) before trusting anything in it.
        if (!RtpPacket.TryParse(buffer.AsSpan(0, length), out RtpPacket packet, out _))
        {
            Interlocked.Increment(ref _malformedPackets);
            return;
        }

        SrtpContext? srtp = _srtpReceive;
        if (srtp is not null)
        {
            if (!srtp.TryUnprotect(buffer, length, out length))
            {
                Interlocked.Increment(ref _srtpFailures);
                return;
            }

            if (!RtpPacket.TryParse(buffer.AsSpan(0, length), out packet, out _))
            {
                Interlocked.Increment(ref _malformedPackets);
                return;
            }
        }

        byte payloadType = packet.Header.PayloadType;
        ulong mask = payloadType < 64 ? Volatile.Read(ref _acceptedLow) : Volatile.Read(ref _acceptedHigh);
        bool filter = Volatile.Read(ref _acceptedLow) != 0;
        if (filter && (mask & (1UL << (payloadType & 63))) == 0)
        {
            Interlocked.Increment(ref _unexpectedPayloadTypes);
            return;
        }

        if (!_latched)
        {
            // Symmetric RTP: answer to where the peer really sends from (NAT), once per negotiation.
            if (remote is null || !from.Equals(remote))
            {
                _remoteRtp = Copy(from);
            }

            _latched = true;
        }

        uint ssrc = packet.Header.Ssrc;
        long now = _options.Time.GetTimestamp();
        if (!_hasRemoteSsrc || ssrc != _remoteSsrc)
        {
            if (_hasRemoteSsrc)
            {
                Interlocked.Increment(ref _ssrcChanges);
            }

            _hasRemoteSsrc = true;
            _remoteSsrc = ssrc;
            lock (_statisticsLock)
            {
                _statistics.Reset();
            }

            _receiver?.OnSourceChanged(ssrc);
        }

        uint arrival = (uint)((UInt128)(ulong)now * (ulong)_receiveClockRate / (ulong)_options.Time.TimestampFrequency);
        lock (_statisticsLock)
        {
            _statistics.Update(packet.Header.SequenceNumber, packet.Header.Timestamp, arrival);
        }

        Interlocked.Increment(ref _packetsReceived);
        _receiver?.OnRtpPacket(packet, now);
    }

    private void HandleRtcp(byte[] buffer, int length, SocketAddress from)
    {
        lock (_rtcpLock)
        {
            SrtpContext? srtcp = _srtcpReceive;
            if (srtcp is not null && !srtcp.TryUnprotectRtcp(buffer, length, out length))
            {
                Interlocked.Increment(ref _srtpFailures);
                return;
            }

            if (!RtcpCompoundPacket.TryParse(buffer.AsSpan(0, length), out RtcpCompoundPacket compound))
            {
                Interlocked.Increment(ref _malformedPackets);
                return;
            }

            if (!_rtcpMux && !_rtcpLatched)
            {
                _remoteRtcp = Copy(from);
                _rtcpLatched = true;
            }

            Interlocked.Increment(ref _rtcpPacketsReceived);
            long now = _options.Time.GetTimestamp();
            foreach (RtcpPacket packet in compound)
            {
                switch (packet.Type)
                {
                    case RtcpPacketType.SenderReport:
                        if (packet.TryGetSenderInfo(out RtcpSenderInfo info))
                        {
                            _lastSenderReport = info.CompactNtp;
                            _lastSenderReportArrival = now;
                        }

                        ReadReportBlocks(packet);
                        break;
                    case RtcpPacketType.ReceiverReport:
                        ReadReportBlocks(packet);
                        break;
                    case RtcpPacketType.Goodbye:
                        Interlocked.Increment(ref _goodbyesReceived);
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private void ReadReportBlocks(RtcpPacket packet)
    {
        for (int i = 0; i < packet.ReportBlockCount; i++)
        {
            RtcpReportBlock block = packet.GetReportBlock(i);
            if (block.Ssrc != Ssrc)
            {
                continue;
            }

            LastRemoteReport = block;
            if (block.LastSenderReport != 0)
            {
                // RTT = A - LSR - DLSR in 1/65536 s units (§6.4.1).
                uint arrival = RtcpSenderInfo.CompactNtpOf(_options.Time.GetUtcNow());
                uint rtt = arrival - block.LastSenderReport - block.DelaySinceLastSenderReport;
                if (rtt < 0x8000_0000)
                {
                    RoundTripTime = TimeSpan.FromSeconds(rtt / 65536.0);
                }
            }
        }
    }

    private void ScheduleRtcp()
    {
        // §6.3.5: randomise to between 0.5 and 1.5 times the interval so that sessions do not synchronise.
        double factor = 0.5 + (RandomNumberGenerator.GetInt32(1000) / 1000.0);
        _rtcpTimer.Change(_options.RtcpInterval * factor, Timeout.InfiniteTimeSpan);
    }

    private void OnRtcpTimer()
    {
        if (_stopping)
        {
            return;
        }

        SendRtcp(goodbye: false);
        ScheduleRtcp();
    }

    private bool SendRtcp(bool goodbye)
    {
        lock (_rtcpLock)
        {
            SocketAddress? remote = _rtcpMux ? _remoteRtp : _remoteRtcp;
            if (remote is null || _stopping)
            {
                return false;
            }

            Span<byte> buffer = _rtcpSendBuffer;
            Span<RtcpReportBlock> blocks = stackalloc RtcpReportBlock[1];
            int blockCount = 0;
            if (_hasRemoteSsrc)
            {
                uint delay = 0;
                if (_lastSenderReport != 0)
                {
                    TimeSpan elapsed = _options.Time.GetElapsedTime(_lastSenderReportArrival);
                    delay = (uint)Math.Min(elapsed.TotalSeconds * 65536, uint.MaxValue);
                }

                lock (_statisticsLock)
                {
                    blocks[0] = _statistics.CreateReportBlock(_remoteSsrc, _lastSenderReport, delay);
                }

                blockCount = 1;
            }

            int length;
            if (_packetsSent > 0)
            {
                DateTimeOffset now = _options.Time.GetUtcNow();
                double elapsed = _options.Time.GetElapsedTime(_lastSendTime).TotalSeconds;
                uint rtpNow = _lastRtpTimestamp + (uint)(elapsed * _sendClockRate);
                var info = new RtcpSenderInfo(RtcpSenderInfo.ToNtp(now), rtpNow, (uint)_packetsSent, (uint)_octetsSent);
                length = RtcpWriter.WriteSenderReport(buffer, Ssrc, info, blocks[..blockCount]);
            }
            else
            {
                length = RtcpWriter.WriteReceiverReport(buffer, Ssrc, blocks[..blockCount]);
            }

            length += RtcpWriter.WriteSourceDescription(buffer[length..], Ssrc, _cname);
            if (goodbye)
            {
                length += RtcpWriter.WriteGoodbye(buffer[length..], Ssrc, default);
            }

            SrtpContext? srtcp = _srtcpSend;
            if (srtcp is not null && (length = srtcp.ProtectRtcp(buffer, length)) == 0)
            {
                return false;
            }

            try
            {
                (_rtcpMux ? _rtpSocket : _rtcpSocket).SendTo(buffer[..length], SocketFlags.None, remote);
                return true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
