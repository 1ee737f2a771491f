using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Intercom.Media.Ice;
using Intercom.Media.Nat;
using Intercom.Media.Rtcp;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;

namespace Intercom.Media.Rtp;

/// <summary>
/// One RTP session over UDP (RFC 3550): an even RTP port and the odd RTCP port after it from a configured range (RTCP
/// moves onto the RTP port when rtcp-mux is negotiated, RFC 5761), SSRC change detection, SRTP when keyed, RTCP SR/RR with
/// SDES CNAME on a randomised timer and a BYE at the end. The send path is called from one media thread and allocates
/// nothing; receiving runs on its own threads and hands packets to an <see cref="IRtpPacketReceiver"/>.
/// <para>
/// Media is accepted from the signalled peer only. RTP and RTCP whose source address is not the SDP connection address
/// (c=) are dropped and counted before anything else looks at them, so a stranger's packets never reach the jitter buffer
/// or the RFC 4733 receiver. Symmetric RTP (RFC 4961, for a peer behind a NAT) may move where we send, but only to another
/// port of that same address, and only after <see cref="RtpSessionOptions.LatchPacketCount"/> consecutive audio packets
/// of one SSRC from it (comfort noise and telephone-events never count: pjmedia's NAT probation, narrowed to the
/// signalled address); until then that port's packets are held back. A peer already latched keeps its port while it is
/// heard. A renegotiation that changes the signalled address or port starts the check over for the new one.
/// </para>
/// </summary>
public sealed partial class RtpSession : IRtpPacketSender, IStunTransport, IDisposable
{
    private const int BufferSize = 2048;
    private const byte ComfortNoisePayloadType = 13;

    // Consecutive probation packets may skip this many sequence numbers (a lost packet) and still count as one stream.
    private const int MaxProbationGap = 8;

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
    private readonly Lock _peerLock = new();

    // ICE (RFC 8445 §12): once on, media goes to and is taken from the selected pair's remote address alone.
    private volatile bool _iceOn;
    private volatile IcePath? _icePath;

    // The remotes of the valid direct pairs (copied on write): the peer's media is taken from any of them (RFC 8445 §12.1).
    private volatile SocketAddress[] _iceValidRemotes = [];

    private volatile IRtpPacketReceiver? _receiver;
    private volatile IStunPacketReceiver? _stunReceiver;
    private Thread? _rtpThread;
    private Thread? _rtcpThread;
    private volatile bool _stopping;

    // The peer as the last offer/answer signalled it (RFC 4566 c= and m=): its address is the only one media is taken
    // from; _remoteRtp is where we send and whose packets are delivered (that endpoint, or the port latched on).
    // Written under _peerLock; _peerGeneration counts changes of the signalled endpoint.
    private volatile SocketAddress? _signalled;
    private volatile SocketAddress? _remoteRtp;
    private volatile SocketAddress? _remoteRtcp;
    private volatile bool _sendSuspended;
    private volatile int _peerGeneration;
    private volatile int _audioPayloadType = -1;
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

    // NAT probation (receive thread): another port of the signalled address, proving itself before we send there.
    private readonly SocketAddress _candidate;
    private int _candidateGeneration = -1;
    private int _candidatePackets;
    private uint _candidateSsrc;
    private ushort _candidateSequence;
    private int _heardGeneration = -1;
    private long _lastHeard;

    private long _packetsReceived;
    private long _malformedPackets;
    private long _wrongSourcePackets;
    private long _unlatchedSourcePackets;
    private long _latches;
    private long _unexpectedPayloadTypes;
    private long _ssrcChanges;
    private long _srtpFailures;
    private long _rtcpPacketsReceived;
    private long _goodbyesReceived;
    private long _stunPacketsReceived;

    private RtpSession(RtpSessionOptions options, Socket rtp, Socket rtcp)
    {
        _options = options;
        _rtpSocket = rtp;
        _rtcpSocket = rtcp;
        Ssrc = options.Ssrc != 0 ? options.Ssrc : (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue) * 2 + 1;
        _sequence = (ushort)RandomNumberGenerator.GetInt32(0, 0x8000);
        _cname = Encoding.UTF8.GetBytes(options.CanonicalName.Length > 255 ? options.CanonicalName[..255] : options.CanonicalName);
        _endPointTemplate = new IPEndPoint(rtp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        _candidate = new SocketAddress(rtp.AddressFamily, SocketAddress.GetMaximumAddressSize(rtp.AddressFamily));
        _rtcpTimer = options.Time.CreateTimer(static state => ((RtpSession)state!).OnRtcpTimer(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Our SSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>The bound RTP port (even).</summary>
    public int RtpPort => ((IPEndPoint)_rtpSocket.LocalEndPoint!).Port;

    /// <summary>The bound RTCP port (RTP port + 1).</summary>
    public int RtcpPort => ((IPEndPoint)_rtcpSocket.LocalEndPoint!).Port;

    /// <summary>Where RTP is sent now: the signalled endpoint, or the port of the signalled address latched on.</summary>
    public IPEndPoint? RemoteRtpEndPoint => _remoteRtp is SocketAddress address ? (IPEndPoint)_endPointTemplate.Create(address) : null;

    /// <summary>True once the peer's audio came from the endpoint we send to (the signalled one, or a port latched on).</summary>
    public bool IsLatched => _latched;

    /// <summary>RTP packets sent.</summary>
    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    /// <summary>RTP packets accepted and delivered.</summary>
    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);

    /// <summary>Datagrams that were not valid RTP or RTCP.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformedPackets);

    /// <summary>RTP and RTCP packets from an address other than the signalled peer's (dropped unread), or before any was signalled.</summary>
    public long WrongSourcePackets => Interlocked.Read(ref _wrongSourcePackets);

    /// <summary>
    /// RTP packets from the signalled address but not the endpoint we send to, held back while that port proves itself
    /// (NAT probation) or because the latched one is still heard.
    /// </summary>
    public long UnlatchedSourcePackets => Interlocked.Read(ref _unlatchedSourcePackets);

    /// <summary>Times the send address moved to another port of the signalled address (symmetric RTP).</summary>
    public long Latches => Interlocked.Read(ref _latches);

    /// <summary>Packets with a payload type that was not negotiated.</summary>
    public long UnexpectedPayloadTypePackets => Interlocked.Read(ref _unexpectedPayloadTypes);

    /// <summary>Times the peer's SSRC changed.</summary>
    public long SsrcChanges => Interlocked.Read(ref _ssrcChanges);

    /// <summary>SRTP/SRTCP packets that failed authentication or replay checks.</summary>
    public long SrtpFailures => Interlocked.Read(ref _srtpFailures);

    /// <summary>Valid RTCP compound packets received.</summary>
    public long RtcpPacketsReceived => Interlocked.Read(ref _rtcpPacketsReceived);

    /// <summary>STUN datagrams (RFC 7983: first byte 0-3) that arrived on the RTP socket; never treated as RTP.</summary>
    public long StunPacketsReceived => Interlocked.Read(ref _stunPacketsReceived);

    /// <summary>
    /// Takes the STUN datagrams that arrive on the RTP socket (a Binding response to <see cref="SendStun"/>); null: they
    /// are counted and dropped. Set it, then <see cref="StartReceiving"/>, to learn the socket's mapping before the SDP.
    /// </summary>
    public IStunPacketReceiver? StunReceiver
    {
        get => _stunReceiver;
        set => _stunReceiver = value;
    }

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
    /// Applies an offer/answer result: the peer's signalled endpoint (a new address or port starts the source check over;
    /// the same one keeps what was latched), rtcp-mux, SRTP keys, the clock rate and the payload types we accept (the
    /// codec, telephone-event and comfort noise). Without an address (c=0.0.0.0 hold, a host name not resolved) nothing is
    /// sent and media is still taken from the address signalled before, if any.
    /// </summary>
    public void Apply(NegotiatedMedia media)
    {
        ArgumentNullException.ThrowIfNull(media);

        // Keys first: a packet that arrives while this runs is then either unfiltered and ignored by the receiver (no
        // agreement yet) or checked with the new keys, never passed on unauthenticated under the new payload filter.
        // Each direction's contexts are rebuilt only when its key really changed (compared by value): a re-INVITE that
        // repeats the keys keeps the rollover counter and the replay window (RFC 3711 §3.3.2, RFC 4568 §7.1.4).
        SrtpKeys? keys = media.Dtls is null ? media.Srtp : ApplyDtls();
        SrtpKeys? previous = _keys;
        if (!SrtpKeys.SameKey(keys?.Suite, keys?.LocalMasterKey, previous?.Suite, previous?.LocalMasterKey))
        {
            _srtpSend = keys is null ? null : new SrtpContext(keys.Suite, keys.LocalMasterKey.Span);
            _srtcpSend = keys is null ? null : new SrtpContext(keys.Suite, keys.LocalMasterKey.Span);
        }

        if (!SrtpKeys.SameKey(keys?.Suite, keys?.RemoteMasterKey, previous?.Suite, previous?.RemoteMasterKey))
        {
            _srtpReceive = keys is null ? null : new SrtpContext(keys.Suite, keys.RemoteMasterKey.Span);
            _srtcpReceive = keys is null ? null : new SrtpContext(keys.Suite, keys.RemoteMasterKey.Span);
        }

        _keys = keys;

        ulong low = 1UL << ComfortNoisePayloadType;
        ulong high = 0;
        Accept(media.ReceivePayloadType, ref low, ref high);
        if (media.ReceiveTelephoneEventPayloadType is int eventType)
        {
            Accept(eventType, ref low, ref high);
        }

        Volatile.Write(ref _acceptedLow, low);
        Volatile.Write(ref _acceptedHigh, high);
        _audioPayloadType = media.ReceivePayloadType;
        _receiveClockRate = media.SendFormat.ClockRate;
        _sendClockRate = media.SendFormat.ClockRate;
        _rtcpMux = media.RtcpMux;
        SetSignalledPeer(media.RemoteRtp is null ? null : Serialize(media.RemoteRtp), media.RemoteRtcp is null ? null : Serialize(media.RemoteRtcp));
    }

    /// <summary>
    /// Starts reading the RTP socket before any peer is signalled, so a STUN response can reach <see cref="StunReceiver"/>
    /// while the SDP is still being written; RTP arriving now is dropped (no peer signalled yet). Idempotent.
    /// </summary>
    public void StartReceiving()
    {
        lock (_peerLock)
        {
            if (_rtpThread is not null)
            {
                return;
            }

            _rtpThread = new Thread(static state => ((RtpSession)state!).ReceiveLoop(rtcpSocket: false)) { IsBackground = true, Name = "rtp-receive" };
            _rtpThread.Start(this);
        }
    }

    /// <summary>Starts the receive threads and the RTCP timer.</summary>
    public void Start(IRtpPacketReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        if (_rtcpThread is not null)
        {
            throw new InvalidOperationException("already started");
        }

        _receiver = receiver;
        StartReceiving();
        _rtcpThread = new Thread(static state => ((RtpSession)state!).ReceiveLoop(rtcpSocket: true)) { IsBackground = true, Name = "rtcp-receive" };
        _rtcpThread.Start(this);
        ScheduleRtcp();
    }

    /// <summary>
    /// Sends a STUN message from the RTP socket (a Binding request to learn its public mapping, RFC 8489 §3.1: it must
    /// leave from the very socket whose mapping is wanted). False when the socket refused it.
    /// </summary>
    public bool SendStun(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (_stopping)
        {
            return false;
        }

        try
        {
            _rtpSocket.SendTo(datagram, SocketFlags.None, StunDestination(destination));
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sends one RTP packet with our SSRC and the next sequence number (protected if SRTP is on). Returns false if there is
    /// no peer address yet or the send failed. Allocation-free; call from one thread.
    /// </summary>
    public bool Send(byte payloadType, uint timestamp, bool marker, ReadOnlySpan<byte> payload)
    {
        IcePath? ice = _icePath;
        SocketAddress? remote = _iceOn ? ice?.Remote : _remoteRtp;
        if (remote is null || _stopping || _sendSuspended || _awaitingDtls)
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
            if (ice?.Relay is { } relay && _iceOn)
            {
                relay.Send(ice.RemoteEndPoint, _sendBuffer.AsSpan(0, length));
            }
            else
            {
                _rtpSocket.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, remote);
            }
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

    /// <summary>
    /// Puts media under ICE (RFC 8445 §12): from now on RTP and RTCP (multiplexed, RFC 8858) are sent only on the pair
    /// <see cref="UseIcePair"/> names and taken only from its remote address and port; the SDP's c=/m= no longer decide
    /// anything, and nothing is latched. Until a pair is selected nothing is sent or accepted.
    /// </summary>
    public void EnableIce() => _iceOn = true;

    /// <summary>
    /// The pair the ICE agent selected: <paramref name="remote"/> is where media goes and the only source taken;
    /// <paramref name="relay"/> (a relayed local candidate) is how it leaves. Null stops media (consent lost, RFC 7675).
    /// </summary>
    public void UseIcePair(IPEndPoint? remote, IIceRelay? relay = null)
    {
        _icePath = remote is null ? null : new IcePath(Serialize(remote), remote, relay);
        _iceOn = true;
    }

    /// <summary>
    /// A pair whose check succeeded with the peer's password (a valid pair, RFC 8445 §7.2.5.3.2): while a direct pair is
    /// selected, the peer's media is also taken from <paramref name="remote"/>, as §12.1 lets the peer send on any valid
    /// pair (Chromium sends on the pair it prefers). Media still goes only to the selected pair; a stranger, who never
    /// answered a check of ours with the peer's password, is still dropped. Pairs through a relay are the relay's.
    /// </summary>
    public void AddIceValidRemote(IPEndPoint remote, IIceRelay? relay)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (relay is null)
        {
            _iceValidRemotes = [.. _iceValidRemotes, Serialize(remote)];
        }
    }

    /// <summary>The selected ICE pair's remote address media goes to, or null (no ICE, or none selected).</summary>
    public IPEndPoint? IceRemoteEndPoint => _iceOn ? _icePath?.RemoteEndPoint : null;

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

    /// <summary>
    /// Whether two socket addresses name the same IP address, whatever their ports (allocation-free). The buffers hold
    /// the native sockaddr: the port at bytes 2-3 and the IPv4 address at 4-7, or the IPv6 address at 8-23 (its scope
    /// id after it is not compared). A dual-stack socket sees IPv4 peers as IPv4-mapped IPv6, as <see cref="Serialize"/>
    /// writes the signalled address.
    /// </summary>
    private static bool SameAddress(SocketAddress a, SocketAddress b)
    {
        if (a.Family != b.Family)
        {
            return false;
        }

        (int offset, int length) = a.Family == AddressFamily.InterNetworkV6 ? (8, 16) : (4, 4);
        return a.Size >= offset + length && b.Size >= offset + length
            && a.Buffer.Span.Slice(offset, length).SequenceEqual(b.Buffer.Span.Slice(offset, length));
    }

    private void SetSignalledPeer(SocketAddress? rtp, SocketAddress? rtcp)
    {
        lock (_peerLock)
        {
            if (rtp is null)
            {
                // RFC 3264 §8.4 hold by c=0.0.0.0, or a host name nobody resolved: nowhere to send. The peer did not move,
                // so the source check stays with the address signalled before (none: nothing is accepted).
                _sendSuspended = true;
                return;
            }

            _sendSuspended = false;
            if (_signalled is SocketAddress current && current.Equals(rtp))
            {
                // The same endpoint again (a session refresh, hold and resume): keep the port latched on.
                if (!_rtcpLatched && !_latched)
                {
                    _remoteRtcp = rtcp;
                }

                return;
            }

            _signalled = rtp;
            _remoteRtp = rtp;
            _remoteRtcp = rtcp;
            _latched = false;
            _rtcpLatched = false;
            _peerGeneration++;
        }
    }

    /// <summary>
    /// A valid packet from the signalled address but not from the endpoint we send to: counts towards moving there (NAT
    /// probation) when it is audio of the same SSRC as the ones before it, with sequence numbers moving forward, and while
    /// the latched endpoint has gone quiet. True when this packet completed the probation and the peer moved.
    /// </summary>
    private bool Probation(SocketAddress from, in RtpHeader header, long now)
    {
        int generation = _peerGeneration;
        if (header.PayloadType != _audioPayloadType)
        {
            // Comfort noise or telephone-events alone never move the peer: a spoofer needs no codec to send those.
            return false;
        }

        if (_heardGeneration == generation && _options.Time.GetElapsedTime(_lastHeard, now) < _options.LatchSilence)
        {
            // The endpoint we send to is still talking: a second stream from its address is not the peer moving.
            _candidatePackets = 0;
            return false;
        }

        ushort step = (ushort)(header.SequenceNumber - _candidateSequence);
        if (_candidateGeneration == generation && _candidatePackets > 0 && header.Ssrc == _candidateSsrc && step is >= 1 and <= MaxProbationGap
            && from.Equals(_candidate))
        {
            _candidatePackets++;
        }
        else
        {
            from.Buffer.Span[..from.Size].CopyTo(_candidate.Buffer.Span);
            _candidate.Size = from.Size;
            _candidateGeneration = generation;
            _candidateSsrc = header.Ssrc;
            _candidatePackets = 1;
        }

        _candidateSequence = header.SequenceNumber;
        if (_candidatePackets < _options.LatchPacketCount)
        {
            return false;
        }

        _candidatePackets = 0;
        lock (_peerLock)
        {
            if (_peerGeneration != generation)
            {
                // Renegotiated meanwhile: the probation was for an address no longer signalled.
                return false;
            }

            _remoteRtp = Copy(from);
            _latched = true;
            if (!_rtcpMux && !_rtcpLatched)
            {
                // Until the peer's own RTCP is heard, expect it on the port after its RTP port (RFC 3550 §11).
                var endPoint = (IPEndPoint)_endPointTemplate.Create(from);
                _remoteRtcp = new IPEndPoint(endPoint.Address, Math.Min(endPoint.Port + 1, IPEndPoint.MaxPort)).Serialize();
            }
        }

        Interlocked.Increment(ref _latches);
        return true;
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

            if (!rtcpSocket && length > 0 && _turn is not null && HandleFromTurnServer(buffer, length, from))
            {
                // The TURN server's: a response, or a peer's datagram relayed (RFC 8656 §2: it shares this socket).
                continue;
            }

            if (!rtcpSocket && length > 0 && buffer[0] < 4)
            {
                // RFC 7983: a first byte of 0-3 is STUN (a Binding response, a peer's check), never RTP or RTCP.
                HandleStun(buffer, length, from);
                continue;
            }

            if (!rtcpSocket && length > 0 && buffer[0] is >= 20 and <= 63)
            {
                // RFC 7983 (RFC 5764 §5.1.2): 20-63 is DTLS, the handshake that keys DTLS-SRTP.
                HandleDtls(buffer, length, from);
                continue;
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

    private void HandleStun(byte[] buffer, int length, SocketAddress from)
    {
        Interlocked.Increment(ref _stunPacketsReceived);
        IStunPacketReceiver? receiver = _stunReceiver;
        if (receiver is not null && PacketDemultiplexer.Classify(buffer.AsSpan(0, length)) == MultiplexedPacketKind.Stun)
        {
            // Only while a Binding transaction is open (see CallMediaSession): the address is built for it alone.
            receiver.OnStunPacket(buffer.AsSpan(0, length), (IPEndPoint)_endPointTemplate.Create(from));
        }
    }

    // Internal for the benchmarks, which drive the receive path without the socket.
    internal void HandleRtp(byte[] buffer, int length, SocketAddress from)
    {
        // The signalled peer's address (with ICE: the selected pair's address and port) or nothing, before a MAC or a
        // parser is spent on it.
        if (!FromPeer(from))
        {
            Interlocked.Increment(ref _wrongSourcePackets);
            return;
        }

        AcceptRtp(buffer, length, from);
    }

    /// <summary>RTP from the peer (its source checked, on the socket or through the relay): authenticated, filtered, delivered.</summary>
    private void AcceptRtp(byte[] buffer, int length, SocketAddress from)
    {
        if (_awaitingDtls)
        {
            // DTLS-SRTP agreed but not keyed yet (RFC 5764 §4.1): nothing is accepted before the fingerprint matched.
            Interlocked.Increment(ref _srtpFailures);
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

        long now = _options.Time.GetTimestamp();
        SocketAddress? remote = _remoteRtp;
        if (_iceOn)
        {
            // ICE chose where the peer is (an authenticated check, RFC 8445 §7.2.5): no latching, nothing to prove.
            _lastHeard = now;
        }
        else if (remote is not null && from.Equals(remote))
        {
            _heardGeneration = _peerGeneration;
            _lastHeard = now;
            _candidatePackets = 0;
            if (!_latched && payloadType == _audioPayloadType)
            {
                _latched = true;
            }
        }
        else if (!Probation(from, packet.Header, now))
        {
            // Symmetric RTP (RFC 4961) for a peer behind a NAT: another port of its address, not yet proven.
            Interlocked.Increment(ref _unlatchedSourcePackets);
            return;
        }
        else
        {
            _heardGeneration = _peerGeneration;
            _lastHeard = now;
        }

        uint ssrc = packet.Header.Ssrc;
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
        if (!FromPeer(from))
        {
            Interlocked.Increment(ref _wrongSourcePackets);
            return;
        }

        AcceptRtcp(buffer, length, from);
    }

    private void AcceptRtcp(byte[] buffer, int length, SocketAddress from)
    {
        if (_awaitingDtls)
        {
            Interlocked.Increment(ref _srtpFailures);
            return;
        }

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

            // Published after the round trip it gives, so that a reader who sees the report sees its RTT.
            LastRemoteReport = block;
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
            IcePath? ice = _icePath;
            SocketAddress? remote = _iceOn ? ice?.Remote : _rtcpMux ? _remoteRtp : _remoteRtcp;
            if (remote is null || _stopping || _sendSuspended || _awaitingDtls)
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
                if (_iceOn && ice?.Relay is { } relay)
                {
                    relay.Send(ice.RemoteEndPoint, buffer[..length]);
                }
                else
                {
                    (_rtcpMux || _iceOn ? _rtpSocket : _rtcpSocket).SendTo(buffer[..length], SocketFlags.None, remote);
                }

                return true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Whether media from <paramref name="from"/> is the peer's: under ICE exactly the selected pair's remote address and
    /// port, or that of another valid pair (<see cref="AddIceValidRemote"/>; a check from anyone else never changes
    /// either: it must pass MESSAGE-INTEGRITY with our password, RFC 8445 §7.3);
    /// otherwise the signalled address (any port, for the latching that follows). A relayed pair's media comes through
    /// the TURN server (<see cref="HandleRelayedMedia"/>), so under it nothing is taken straight from the socket.
    /// </summary>
    private bool FromPeer(SocketAddress from)
    {
        if (_iceOn)
        {
            if (_icePath is not { Relay: null } ice)
            {
                return false;
            }

            if (from.Equals(ice.Remote))
            {
                return true;
            }

            foreach (SocketAddress valid in _iceValidRemotes)
            {
                if (from.Equals(valid))
                {
                    return true;
                }
            }

            return false;
        }

        SocketAddress? signalled = _signalled;
        return signalled is not null && SameAddress(from, signalled);
    }

    private sealed record IcePath(SocketAddress Remote, IPEndPoint RemoteEndPoint, IIceRelay? Relay);
}
