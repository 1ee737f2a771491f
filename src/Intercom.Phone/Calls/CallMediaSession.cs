using System.Net;
using Intercom.Media.Dtls;
using Intercom.Media.Dtmf;
using Intercom.Media.Nat;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;
using Intercom.Media.Streams;

namespace Intercom.Phone;

/// <summary>
/// The media side of one call: an RTP session on a port from the configured range, the SDP negotiator that describes it,
/// and the audio stream between RTP and the station's microphone and speaker (connected once the first offer/answer
/// completes). Digits from RTP (events, tones) and the media timeout are raised for the call layer.
/// </summary>
public sealed class CallMediaSession : IDisposable
{
    private readonly IPAddress _localAddress;
    private readonly RtpSession _rtp;
    private readonly CallAudio? _audio;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private NegotiatedDtls? _dtlsAgreed;
    private NegotiatedMedia? _current;
    private bool _started;
    private bool _disposed;

    private CallMediaSession(IPAddress localAddress, RtpSession rtp, SdpOfferAnswer offerAnswer, AudioStream stream, CallAudio? audio, TimeProvider time)
    {
        _localAddress = localAddress;
        _time = time;
        _rtp = rtp;
        _audio = audio;
        OfferAnswer = offerAnswer;
        Stream = stream;
        offerAnswer.MediaChanged += Apply;
        stream.DigitReceived += (digit, source) => DigitReceived?.Invoke(digit, source);
        stream.MediaTimedOut += () => MediaTimedOut?.Invoke();
    }

    /// <summary>The SIP side's offer/answer for this call.</summary>
    public SdpOfferAnswer OfferAnswer { get; }

    public RtpSession Rtp => _rtp;

    /// <summary>The RTP socket's public mapping learned by STUN and advertised in the SDP; null: the local address is.</summary>
    public IPEndPoint? PublicEndPoint { get; private set; }

    /// <summary>The call's audio (statistics, digits to send).</summary>
    public AudioStream Stream { get; }

    /// <summary>A digit from the peer by RTP (RFC 4733 event or in-band tone), reported once per press.</summary>
    public event Action<char, DtmfSource>? DigitReceived;

    /// <summary>The peer should be sending but its RTP stopped for the configured time.</summary>
    public event Action? MediaTimedOut;

    /// <summary>
    /// The call's media cannot be secured: the DTLS handshake failed or the peer's certificate is not its a=fingerprint
    /// (RFC 5763 §5). No media was or will be exchanged; the call should end. The reason is for the log.
    /// </summary>
    public event Action<string>? MediaFailed;

    /// <param name="address">Our media address as the peer must see it.</param>
    /// <param name="options">Codecs, SRTP policy, port range and stream behaviour.</param>
    /// <param name="audio">The station's microphone and speaker; null for a call without a sound device (tests, the demo's phone).</param>
    public static CallMediaSession Create(IPAddress address, CallMediaOptions options, CallAudio? audio = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        var (sampleRate, frameSamples) = audio?.AttachSession() ?? (16000, 320);
        RtpSession? rtp = null;
        try
        {
            rtp = RtpSession.Bind(new RtpSessionOptions
            {
                LocalAddress = address,
                PortRangeStart = options.RtpPortMin,
                PortRangeEnd = options.RtpPortMax,
                Time = options.Time,
            });
            var negotiator = new SdpNegotiator(NegotiatorOptions(address, rtp.RtpPort, options));
            var stream = new AudioStream(rtp, new AudioStreamOptions
            {
                DeviceSampleRate = sampleRate,
                DeviceFrameSamples = frameSamples,
                PacketTimeMs = options.PacketTimeMs,
                OpusBitrate = options.OpusBitrate,
                MediaTimeout = options.MediaTimeout,
                InBandDtmf = options.InBandDtmf,
                Time = options.Time,
            });
            return new CallMediaSession(address, rtp, new SdpOfferAnswer(negotiator), stream, audio, options.Time);
        }
        catch
        {
            rtp?.Dispose();
            audio?.DetachSession();
            throw;
        }
    }

    /// <summary>
    /// What a call's SDP offers and accepts with <paramref name="options"/> from <paramref name="address"/>:<paramref name="rtpPort"/>.
    /// Needs no socket, so the config fuzz target (tests/Intercom.Fuzz) negotiates with every accepted file's media section.
    /// </summary>
    internal static SdpNegotiatorOptions NegotiatorOptions(IPAddress address, int rtpPort, CallMediaOptions options) => new()
    {
        Address = address,
        RtpPort = rtpPort,
        Formats = options.TelephoneEvent ? [.. options.Formats, MediaFormat.TelephoneEvent] : options.Formats,
        PacketTime = options.PacketTimeMs,
        Srtp = options.Srtp,
        DtlsFingerprint = options.Srtp == Media.Srtp.SrtpPolicy.DtlsSrtp ? DtlsContext.Station.Certificate.Fingerprint : null,
    };

    /// <summary>
    /// Learns the public mapping of this call's RTP socket (RFC 8489 §3.1: a Binding request from that very socket, the
    /// response handed over by the socket's receive loop, RFC 7983) from <paramref name="servers"/> in order, within
    /// <paramref name="timeout"/>, and makes the SDP advertise it in o=, c= and m=. Call it before the first offer or answer.
    /// On failure the SDP keeps the local address. Never throws for network trouble.
    /// </summary>
    public async Task<StunBindingResult> LearnPublicAddressAsync(IReadOnlyList<DnsEndPoint> servers, TimeSpan timeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(time);
        using var deadline = new CancellationTokenSource(timeout, time);
        var endPoints = new List<IPEndPoint>();
        foreach (var server in servers)
        {
            IPAddress[] addresses;
            if (IPAddress.TryParse(server.Host, out var literal))
            {
                addresses = [literal];
            }
            else
            {
                try
                {
                    addresses = await Dns.GetHostAddressesAsync(server.Host, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or ArgumentException)
                {
                    continue;
                }
            }

            foreach (var address in addresses)
            {
                // Only what the RTP socket can reach: its own family, or any from a dual-stack socket.
                if (address.AddressFamily == _localAddress.AddressFamily || _localAddress.Equals(IPAddress.IPv6Any))
                {
                    endPoints.Add(new IPEndPoint(address, server.Port));
                }
            }
        }

        if (endPoints.Count == 0)
        {
            return StunBindingResult.Failed($"no address for the STUN server(s) {string.Join(", ", servers.Select(s => $"{s.Host}:{s.Port}"))}");
        }

        var client = new StunBindingClient(_rtp, time);
        _rtp.StunReceiver = client;
        _rtp.StartReceiving();
        StunBindingResult result;
        try
        {
            result = await client.QueryAsync(endPoints, deadline.Token).ConfigureAwait(false);
        }
        finally
        {
            _rtp.StunReceiver = null;
        }

        if (result.MappedAddress is { } mapped)
        {
            lock (_gate)
            {
                OfferAnswer.Negotiator.AdvertiseAt(mapped);
                PublicEndPoint = mapped;
            }
        }

        return result;
    }

    /// <summary>Sends a digit to the peer as RFC 4733 events; false when events were not agreed.</summary>
    public bool SendDigit(char digit) => Stream.SendDigit(digit);

    private void Apply(NegotiatedMedia media)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _current = media;
            if (media.RemoteRtp is null && media.RemoteHost.Length > 0 && !IPAddress.TryParse(media.RemoteHost, out _))
            {
                // RFC 4566 §5.7 allows a host name in c=: RTP is taken only from the signalled address, so resolve it
                // (off the SIP loop) and apply the agreement again with it; until then nothing is sent or accepted.
                _ = ResolveAsync(media);
            }

            _rtp.Apply(media);
            Stream.Apply(media);
            if (media.Dtls is { } dtls)
            {
                StartDtls(dtls);
            }

            if (!_started)
            {
                _started = true;
                _rtp.Start(Stream);
                _audio?.Connect(Stream);
            }
        }
    }

    /// <summary>
    /// Runs the DTLS handshake of an agreement on the RTP socket (RFC 5764): one association per role and peer
    /// certificate; a renegotiation that names the same keeps it (RFC 5763 §6.7.1), one that changes either starts anew.
    /// </summary>
    private void StartDtls(NegotiatedDtls dtls)
    {
        if (dtls.Equals(_dtlsAgreed))
        {
            return;
        }

        _dtlsAgreed = dtls;
        _rtp.Dtls?.Dispose();
        var endpoint = new DtlsEndpoint(DtlsContext.Station, dtls.Role, _rtp, _time);
        endpoint.Connected += _rtp.ApplyDtlsKeys;
        endpoint.Failed += reason => MediaFailed?.Invoke(reason);
        endpoint.SetRemoteFingerprint(dtls.RemoteFingerprint);
        _rtp.Dtls = endpoint;
        endpoint.Start();
    }

    private async Task ResolveAsync(NegotiatedMedia media)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(media.RemoteHost).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
        {
            return;
        }

        // An address our socket can reach (an IPv4 socket cannot send to an IPv6 peer; a dual-stack one can to both).
        IPAddress? address = Array.Find(addresses, a => a.AddressFamily == _localAddress.AddressFamily || _localAddress.Equals(IPAddress.IPv6Any));
        if (address is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_disposed || !ReferenceEquals(_current, media))
            {
                return;
            }

            _rtp.Apply(media with
            {
                RemoteRtp = new IPEndPoint(address, media.RemoteRtpPort),
                RemoteRtcp = new IPEndPoint(address, media.RtcpMux ? media.RemoteRtpPort : Math.Min(media.RemoteRtpPort + 1, IPEndPoint.MaxPort)),
            });
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _audio?.Disconnect(Stream);
        }

        Stream.Dispose();
        _rtp.Dtls?.Dispose();
        _rtp.Dispose();
        _audio?.DetachSession();
    }
}
