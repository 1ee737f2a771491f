using System.Net;
using Intercom.Media.Dtls;
using Intercom.Media.Dtmf;
using Intercom.Media.Ice;
using Intercom.Media.Nat;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;
using Intercom.Media.Streams;
using Intercom.Media.Turn;

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
    private bool _iceStarted;

    // The best pair the peer nominated while none was selected (agent thread only).
    private IceCandidatePair? _nominatedBeforeSelection;

    // A selected or nominated pair has named the SDP's default candidate (under _gate): what the peer's checks merely
    // reached (AnswerIceOffer) no longer moves it.
    private bool _defaultFromPair;

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

    /// <summary>This call's ICE agent (RFC 8445) while ICE is offered or in use; null without ICE or after the fallback.</summary>
    public IceAgent? Ice { get; private set; }

    /// <summary>This call's TURN relay (RFC 8656) while its relayed candidate is offered or in use; null without one.</summary>
    public TurnIceRelay? Relay { get; private set; }

    /// <summary>Why no relay was allocated for this call (every server refused or did not answer in time), or null.</summary>
    public string? RelayFailure { get; private set; }

    /// <summary>The candidate pair ICE selected for media, or null.</summary>
    public IceCandidatePair? SelectedPair { get; private set; }

    /// <summary>ICE selected a pair (or a better one): media now goes there (on the agent's thread).</summary>
    public event Action<IceCandidatePair>? IcePairSelected;

    /// <summary>ICE found no working pair, or the peer's consent was lost (RFC 7675): with the reason. The call ends (see <see cref="MediaTimedOut"/>).</summary>
    public event Action<string>? IceFailed;

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
        List<IPEndPoint> endPoints = await ResolveAsync(servers, deadline.Token).ConfigureAwait(false);
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

    /// <summary>
    /// Sets up ICE for this call (RFC 8445 with RFC 8839 SDP) before its first offer or answer: an agent on the RTP socket
    /// with its host candidate and the server-reflexive one learned from <paramref name="servers"/> within
    /// <paramref name="timeout"/> (that address also becomes the SDP's default destination, c= and m=, RFC 8839 §4.2.1),
    /// and the SDP's ICE attributes. <paramref name="role"/>: controlling as the offerer, controlled as the answerer. When
    /// the peer's SDP has ICE too, checks start as soon as it arrives (<see cref="Apply"/>); when it has none, the agent
    /// is dropped and the call goes on as without ICE. Never throws for network trouble.
    /// </summary>
    /// <param name="turn">
    /// A TURN relay to allocate from, within the same bound and beside the STUN query (RFC 8445 §5.1.1.2): its relayed
    /// address becomes a relayed candidate. When STUN gave no mapping, the Allocate's XOR-MAPPED-ADDRESS (RFC 8656 §7.3,
    /// the same socket over UDP) is the server-reflexive candidate. Null or no server answering: no relayed candidate.
    /// </param>
    public async Task<StunBindingResult> PrepareIceAsync(IReadOnlyList<DnsEndPoint> servers, TimeSpan timeout, TimeProvider time, IceRole role,
        AccountTurnOptions? turn = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(time);
        using var deadline = new CancellationTokenSource(timeout, time);
        List<IPEndPoint> endPoints = await ResolveAsync(servers, deadline.Token).ConfigureAwait(false);
        var agent = new IceAgent(_rtp, new IceAgentOptions { Role = role, Time = time });
        var host = new IPEndPoint(_localAddress, _rtp.RtpPort);
        agent.AddHostCandidate(host);
        _rtp.StunReceiver = agent;
        _rtp.StartReceiving();
        Task<TurnIceRelay?> relaying = turn is { Servers.Count: > 0 } ? AllocateRelayAsync(turn, time, deadline.Token) : Task.FromResult<TurnIceRelay?>(null);
        StunBindingResult result = endPoints.Count == 0
            ? StunBindingResult.Failed(servers.Count == 0 ? "no STUN server" : "no address for the STUN server(s)")
            : await agent.GatherServerReflexiveAsync(host, endPoints, deadline.Token).ConfigureAwait(false);
        if (await relaying.ConfigureAwait(false) is { } relay)
        {
            IPEndPoint? mapped = relay.Allocation.Transport == TurnTransport.Udp ? relay.Allocation.MappedAddress : null;
            if (!result.Succeeded && mapped is not null)
            {
                agent.AddServerReflexiveCandidate(mapped, host, relay.ServerAddress);
                result = StunBindingResult.Mapped(mapped, relay.ServerAddress);
            }

            agent.AddRelayedCandidate(relay);
            relay.Agent = agent;
            Relay = relay;
        }

        agent.PairValidated += pair => _rtp.AddIceValidRemote(pair.RemoteEndPoint, pair.Local.Relay);
        agent.CheckAuthenticated += (source, receivedOn) =>
        {
            if (receivedOn.Relay is null)
            {
                _rtp.AddIceCheckedSource(source);
            }
        };
        agent.SelectedPairChanged += pair =>
        {
            _rtp.UseIcePair(pair.RemoteEndPoint, pair.Local.Relay);

            // RFC 8839 §3.4.1.2.2 / RFC 8445 §8.1.2: once a pair is selected, the default candidate of every later offer
            // or answer (c=/m=) is its local candidate. re answers a re-INVITE's SDP by sending to its c=/m=: with our
            // first default (the host or server-reflexive address) there, a peer behind a symmetric NAT sent its media
            // where nothing arrives, and the station heard nothing for the rest of the call (TurnCallTests).
            AdvertiseCandidateOf(pair);
            SelectedPair = pair;
            IcePairSelected?.Invoke(pair);
        };
        agent.NominationReceived += pair =>
        {
            // RFC 8839 §3.4.2 and Appendix B: the controlling peer re-offers as soon as its own check of the pair it
            // nominates succeeds, and that re-INVITE can reach us before our check of the same pair comes back, while no
            // pair is selected yet. Its nominating check has come in already: its pair's local candidate is the one the
            // answer must name. (re's a=remote-candidates, which should say so, lists every candidate of ours it knows.)
            if (SelectedPair is null && TellsOurAddress(pair.Local)
                && (_nominatedBeforeSelection is null || pair.Priority > _nominatedBeforeSelection.Priority))
            {
                _nominatedBeforeSelection = pair;
                AdvertiseCandidateOf(pair);
            }
        };
        agent.Failed += reason =>
        {
            // RFC 7675 §5.1: no consent, no media; the call ends as a call whose media stopped.
            _rtp.UseIcePair(null);
            IceFailed?.Invoke(reason);
            MediaTimedOut?.Invoke();
        };
        agent.Start();
        lock (_gate)
        {
            if (result.MappedAddress is { } mapped)
            {
                OfferAnswer.Negotiator.AdvertiseAt(mapped);
                PublicEndPoint = mapped;
            }

            Ice = agent;
            OfferAnswer.Negotiator.LocalIce = new IceMediaParameters { Credentials = agent.Credentials, Candidates = agent.LocalCandidates, RtcpMux = true };
            OfferAnswer.Negotiator.IceOfferDefault = peerDefault => AnswerIceOffer(agent, peerDefault);
        }

        return result;
    }

    /// <summary>
    /// Allocates on the first of <paramref name="turn"/>'s servers that grants one (RFC 8656 §7), trying the next on a
    /// refusal or silence while the bound lasts: over UDP from the RTP socket (which routes the server's datagrams to it
    /// from now on), over TCP/TLS on a connection of its own. Null when none did; <see cref="RelayFailure"/> says why.
    /// </summary>
    private async Task<TurnIceRelay?> AllocateRelayAsync(AccountTurnOptions turn, TimeProvider time, CancellationToken cancellation)
    {
        var credentials = new TurnCredentials(turn.Username, turn.Password);
        var failures = new List<string>();
        foreach (AccountTurnServer server in turn.Servers)
        {
            foreach (IPEndPoint address in await ResolveAsync([new DnsEndPoint(server.Host, server.Port)], cancellation).ConfigureAwait(false))
            {
                if (cancellation.IsCancellationRequested)
                {
                    break;
                }

                var relay = new TurnIceRelay();
                try
                {
                    TurnAllocation allocation = server.Transport switch
                    {
                        TurnTransport.Tcp => await TurnAllocation.ConnectTcpAsync(address, credentials, relay, time: time, cancellation: cancellation).ConfigureAwait(false),
                        TurnTransport.Tls => await TurnAllocation.ConnectTlsAsync(address, new TurnTlsOptions(server.Host), credentials, relay, time: time,
                            cancellation: cancellation).ConfigureAwait(false),
                        _ => new TurnAllocation(_rtp, address, credentials, time: time),
                    };
                    relay.Attach(allocation);
                    _rtp.UseTurnRelay(relay);
                    await allocation.AllocateAsync(cancellation).ConfigureAwait(false);
                    return relay;
                }
#pragma warning disable CA1031 // A relay that cannot be had must not stop the call: it goes on with host and server-reflexive candidates.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _rtp.UseTurnRelay(null);
                    relay.Dispose();
                    failures.Add(e is OperationCanceledException ? $"{server.Transport} {address}: no allocation in time" : e.Message);
                }
            }
        }

        RelayFailure = failures.Count == 0 ? "no address for the TURN server(s)" : string.Join("; ", failures);
        return null;
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

            ApplyIce(media);
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

    /// <summary>
    /// The first exchange decides ICE: the peer's ICE attributes start the checks and put RTP under the selected pair;
    /// none (a peer without ICE, RFC 8445 §5.4, or an SDP rewritten on the way) drops the agent, and media follows c=/m=
    /// with symmetric RTP as without ICE. A later exchange (re-INVITE) keeps what the first decided.
    /// </summary>
    private void ApplyIce(NegotiatedMedia media)
    {
        if (Ice is not { } agent || _iceStarted)
        {
            return;
        }

        if (media.RemoteIce is { } remote)
        {
            _iceStarted = true;
            _rtp.EnableIce();

            // Before the first check leaves: the server relays nothing from a peer without a permission (RFC 8656 §9).
            Relay?.PermitCandidates(remote.Candidates);
            agent.SetRemote(remote);
            return;
        }

        _rtp.StunReceiver = null;
        agent.Dispose();
        Ice = null;
        ReleaseRelay();
        OfferAnswer.Negotiator.LocalIce = null;
        OfferAnswer.Negotiator.IceOfferDefault = null;
    }

    /// <summary>
    /// Whether the local candidate of a pair the peer nominated before one was selected is the address the peer reaches
    /// us at. A relayed (or server-reflexive) one is. A host one is not always: a check arriving on the host socket is
    /// paired with the host candidate (RFC 8445 §6.1.2.4 checks a server-reflexive one from its base), though a NAT in
    /// front may have carried it; our address as the peer sees it comes with our own check's response, at the selection.
    /// Until then the first default (the STUN mapping) stays.
    /// </summary>
    internal static bool TellsOurAddress(IceLocalCandidate local) => local.Candidate.Type != IceCandidateType.Host;

    /// <summary>Makes every later SDP name <paramref name="pair"/>'s local candidate in c=/m= (its address, not its base).</summary>
    private void AdvertiseCandidateOf(IceCandidatePair pair)
    {
        if (pair.Local.Candidate.Address is { } address)
        {
            lock (_gate)
            {
                OfferAnswer.Negotiator.AdvertiseAt(new IPEndPoint(address, pair.Local.Candidate.Port));
                _defaultFromPair = true;
            }
        }
    }

    /// <summary>
    /// RFC 8839 Appendix B, the race re (baresip's stack) always runs: it re-offers the moment its checks conclude, in
    /// the same instant it sends its nominating check, so the re-INVITE can come before that check and before any pair
    /// of ours is selected. Its c=/m= (<paramref name="peerDefault"/>) is then the local candidate of the pair it
    /// selected, and that pair's other end is the candidate of ours that answered its checks from there: the answer must
    /// name it, for re sends its RTP to the answer's c=/m=. A host candidate is left alone (see
    /// <see cref="TellsOurAddress"/>), as is a default a selected or nominated pair already set.
    /// </summary>
    private void AnswerIceOffer(IceAgent agent, IPEndPoint peerDefault)
    {
        lock (_gate)
        {
            if (!_defaultFromPair && agent.AnsweredCandidateFor(peerDefault) is { Candidate.Address: { } address } local && TellsOurAddress(local))
            {
                OfferAnswer.Negotiator.AdvertiseAt(new IPEndPoint(address, local.Candidate.Port));
            }
        }
    }

    /// <summary>The STUN servers' addresses the RTP socket can reach (its own family, or any from a dual-stack socket).</summary>
    private async Task<List<IPEndPoint>> ResolveAsync(IReadOnlyList<DnsEndPoint> servers, CancellationToken cancellation)
    {
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
                    addresses = await Dns.GetHostAddressesAsync(server.Host, cancellation).ConfigureAwait(false);
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or ArgumentException)
                {
                    continue;
                }
            }

            foreach (var address in addresses)
            {
                if (address.AddressFamily == _localAddress.AddressFamily || _localAddress.Equals(IPAddress.IPv6Any))
                {
                    endPoints.Add(new IPEndPoint(address, server.Port));
                }
            }
        }

        return endPoints;
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

    private void ReleaseRelay()
    {
        if (Relay is { } relay)
        {
            _rtp.UseTurnRelay(null);
            relay.Agent = null;
            relay.Dispose();
            Relay = null;
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

        Ice?.Dispose();
        Stream.Dispose();
        _rtp.Dtls?.Dispose();

        // RFC 8656 §8: the allocation is released (Refresh, LIFETIME 0) through the RTP socket, so before it closes.
        ReleaseRelay();
        _rtp.Dispose();
        _audio?.DetachSession();
    }
}
