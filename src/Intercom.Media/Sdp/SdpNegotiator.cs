using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Intercom.Media.Dtls;
using Intercom.Media.Srtp;

namespace Intercom.Media.Sdp;

/// <summary>
/// The SDP offer/answer model (RFC 3264) for one call's single audio stream, string in and string out, so that the SIP user
/// agent can use it as its offer/answer implementation: <see cref="CreateOffer"/> for INVITE/re-INVITE/UPDATE or a 200 to an
/// offerless INVITE, <see cref="CreateAnswer"/> for a received offer, <see cref="ApplyAnswer"/> for a received answer, and
/// <see cref="Hold"/>/<see cref="Resume"/> before a re-offer. After each successful exchange <see cref="Media"/> says what
/// to send where. Not thread-safe: it belongs to the SIP loop (but for <see cref="AdvertiseAt"/>, which any thread may call).
/// </summary>
public sealed class SdpNegotiator
{
    private const int DefaultPacketTime = 20;

    private readonly SdpNegotiatorOptions _options;
    private readonly ulong _sessionId;
    private readonly byte[] _key80;
    private readonly byte[] _key32;
    private ulong _version;
    private string? _lastBody;
    private SessionDescription? _lastLocal;
    private SessionDescription? _pendingOffer;
    private int _audioIndex = -1;
    // One reference, read once per SDP: AdvertiseAt may be called from the ICE agent's thread (a pair selected) while
    // the SIP loop writes an SDP, and c= and m= must never name two different candidates.
    private volatile System.Net.IPEndPoint _advertised;
    private IReadOnlyList<MediaFormat> _formats;
    private string _dtlsProfile = DtlsSdp.Protocol;

    /// <summary>Creates a negotiator for one call.</summary>
    public SdpNegotiator(SdpNegotiatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _advertised = new System.Net.IPEndPoint(options.Address, options.RtpPort);
        _formats = options.Formats;
        _sessionId = options.SessionId != 0 ? options.SessionId : (ulong)RandomNumberGenerator.GetInt32(1, int.MaxValue) << 16;
        _version = _sessionId;
        if (options.SrtpMasterKey.Length == SdesCryptoAttribute.KeyAndSaltLength)
        {
            _key80 = options.SrtpMasterKey.ToArray();
            _key32 = options.SrtpMasterKey.ToArray();
        }
        else
        {
            // Distinct keys per offered crypto line (RFC 4568 §6.1): the answer picks one by its tag.
            _key80 = RandomNumberGenerator.GetBytes(SdesCryptoAttribute.KeyAndSaltLength);
            _key32 = RandomNumberGenerator.GetBytes(SdesCryptoAttribute.KeyAndSaltLength);
        }
    }

    /// <summary>
    /// Our ICE attributes (RFC 8839 §5: ufrag, pwd, candidates), written into every offer's audio stream and into an
    /// answer whose offer had ICE too (§4.2.2: no ICE attributes towards a peer without ICE); null: no ICE.
    /// </summary>
    public Ice.IceMediaParameters? LocalIce { get; set; }

    /// <summary>
    /// Told, while an answer to an offer with ICE is written and unless the offer's a=remote-candidates named one of our
    /// candidates, the offer's default destination (c=/m=), before the answer's own c=/m= are read: the call's ICE side
    /// may <see cref="AdvertiseAt"/> the candidate of ours the peer's checks from that address reached (RFC 8839
    /// Appendix B: the re-offer of a peer whose checks completed can arrive before its nomination does).
    /// </summary>
    public Action<System.Net.IPEndPoint>? IceOfferDefault { get; set; }

    /// <summary>The audio stream agreed by the last completed exchange; null before one, or when audio was declined.</summary>
    public NegotiatedMedia? Media { get; private set; }

    /// <summary>True while we hold the call (our offers say sendonly or inactive, RFC 3264 §8.4).</summary>
    public bool IsOnHold { get; private set; }

    /// <summary>True between <see cref="CreateOffer"/> and <see cref="ApplyAnswer"/>.</summary>
    public bool HasPendingOffer => _pendingOffer is not null;

    /// <summary>The address and port our o=, c= and m= lines advertise (the options', or the public mapping set by <see cref="AdvertiseAt"/>).</summary>
    public System.Net.IPEndPoint Advertised
    {
        get
        {
            // A copy: IPEndPoint is mutable, and ours is shared with every SDP being written.
            System.Net.IPEndPoint at = _advertised;
            return new System.Net.IPEndPoint(at.Address, at.Port);
        }
    }

    /// <summary>
    /// Advertises <paramref name="publicEndPoint"/> instead of the local address and port: the RTP socket's public mapping
    /// learned by STUN (RFC 8489 §3.1) when no ICE is negotiated. Call it before the first offer or answer.
    /// </summary>
    public void AdvertiseAt(System.Net.IPEndPoint publicEndPoint)
    {
        ArgumentNullException.ThrowIfNull(publicEndPoint);
        _advertised = new System.Net.IPEndPoint(
            publicEndPoint.Address.IsIPv4MappedToIPv6 ? publicEndPoint.Address.MapToIPv4() : publicEndPoint.Address, publicEndPoint.Port);
    }

    /// <summary>Marks the call held; the next offer (and answers) stop our receiving.</summary>
    public void Hold() => IsOnHold = true;

    /// <summary>Ends hold; the next offer asks for sendrecv again.</summary>
    public void Resume() => IsOnHold = false;

    /// <summary>
    /// Makes our offers what a browser takes (RFC 8829 §5.2.1, RFC 8827 §6.5): the UDP/TLS/RTP/SAVPF profile (WebRTC's,
    /// RFC 5764 §9 with RFC 5124 feedback) and Opus first, added when not configured (every browser has it, RFC 7874
    /// §3); the other codecs follow in their order. Call before the first offer, with DTLS-SRTP.
    /// </summary>
    public void OfferToBrowser()
    {
        if (_options.Srtp != SrtpPolicy.DtlsSrtp)
        {
            throw new InvalidOperationException("A browser takes DTLS-SRTP only (SdpNegotiatorOptions.Srtp).");
        }

        _dtlsProfile = "UDP/TLS/RTP/SAVPF";
        var formats = new List<MediaFormat>(_formats.Count + 1) { MediaFormat.Opus };
        foreach (MediaFormat format in _formats)
        {
            if (!format.Matches(MediaFormat.Opus))
            {
                formats.Add(format);
            }
        }

        _formats = formats;
    }

    /// <summary>Forgets an offer that will not be answered (the transaction failed or a 491 glare).</summary>
    public void CancelOffer() => _pendingOffer = null;

    /// <summary>Builds an offer (initial or re-offer keeping the m-line layout of the last exchange, RFC 3264 §8).</summary>
    public string CreateOffer()
    {
        System.Net.IPEndPoint at = _advertised;
        SessionDescription offer = NewDescription(at);
        int audioIndex = _audioIndex >= 0 ? _audioIndex : 0;
        int count = Math.Max(_lastLocal?.Media.Count ?? 1, audioIndex + 1);
        MediaDirection direction = MediaDirection.SendReceive;
        if (IsOnHold)
        {
            // §8.4: a sendrecv stream goes sendonly; a stream we only received on goes inactive.
            direction = Media is null || (Media.Direction & MediaDirection.SendOnly) != 0 ? MediaDirection.SendOnly : MediaDirection.Inactive;
        }

        for (int i = 0; i < count; i++)
        {
            if (i == audioIndex)
            {
                bool dtls = _options.Srtp == SrtpPolicy.DtlsSrtp;
                MediaDescription audio = BuildAudio(
                    at.Port,
                    dtls ? _dtlsProfile : _options.Srtp == SrtpPolicy.Required ? "RTP/SAVP" : "RTP/AVP",
                    _formats,
                    direction,
                    _options.OfferRtcpMux || dtls,
                    _options.Srtp is SrtpPolicy.Disabled or SrtpPolicy.DtlsSrtp ? null : OfferedCryptos(),
                    // RFC 5763 §5: actpass in an initial offer; a re-offer keeps the role of the association we have.
                    !dtls ? null : Media?.Dtls is { } agreed ? DtlsSdp.SetupOf(agreed.Role) : "actpass");
                LocalIce?.WriteTo(offer, audio);
                offer.Media.Add(audio);
            }
            else
            {
                offer.Media.Add(Declined(_lastLocal!.Media[i]));
            }
        }

        _pendingOffer = offer;
        _audioIndex = audioIndex;
        return Finish(offer);
    }

    /// <summary>
    /// Answers <paramref name="offerSdp"/>. On success the result carries the answer and <see cref="Media"/> is updated; on
    /// failure the result's status code is the SIP response to send (400 or 488) and nothing changes.
    /// </summary>
    public OfferAnswerResult CreateAnswer(string offerSdp)
    {
        if (!SessionDescription.TryParse(offerSdp, out SessionDescription? offer, out string? parseError))
        {
            return OfferAnswerResult.Failure(400, "bad SDP: " + parseError);
        }

        if (offer.Media.Count == 0)
        {
            return OfferAnswerResult.Failure(488, "no media in offer");
        }

        if (_lastLocal is not null && offer.Media.Count < _lastLocal.Media.Count)
        {
            return OfferAnswerResult.Failure(488, "offer removes m-lines (RFC 3264 §8)");
        }

        // Pick one audio stream: the one used so far if still offered, else the first acceptable one.
        AudioChoice? choice = null;
        bool audioOffered = false;
        string reason = "no common codec";
        for (int pass = 0; pass < 2 && choice is null; pass++)
        {
            for (int i = 0; i < offer.Media.Count && choice is null; i++)
            {
                if ((pass == 0 && i != _audioIndex) || (pass == 1 && i == _audioIndex))
                {
                    continue;
                }

                MediaDescription media = offer.Media[i];
                if (!string.Equals(media.Media, "audio", StringComparison.OrdinalIgnoreCase) || media.Port == 0)
                {
                    continue;
                }

                audioOffered = true;
                choice = TryChooseAudio(offer, i, ref reason);
            }
        }

        if (choice is null && audioOffered)
        {
            return OfferAnswerResult.Failure(488, reason);
        }

        if (choice?.Negotiated.RemoteIce is { RemoteCandidates.Count: > 0 } remoteIce && LocalIce is { } localIce
            && Ice.IceRemoteCandidate.NamedRtpCandidate(remoteIce.RemoteCandidates, localIce.Candidates) is { Address: { } nominated } named)
        {
            // RFC 8839 §3.4.2: the peer's checks completed and it names the candidate of ours it nominated; the answer's
            // default destination is that candidate, whether or not our own check of the pair has come back yet (the
            // peer sends its RTP to the answer's c=/m=). For a peer whose list does not name one (re lists every
            // candidate of ours it knows), the call's ICE side decides from what its checks showed (IceOfferDefault).
            AdvertiseAt(new System.Net.IPEndPoint(nominated, named.Port));
        }
        else if (choice?.Negotiated is { RemoteIce: not null, RemoteRtp: { } peerDefault } && LocalIce is not null)
        {
            IceOfferDefault?.Invoke(peerDefault);
        }

        System.Net.IPEndPoint at = _advertised;
        SessionDescription answer = NewDescription(at);
        for (int i = 0; i < offer.Media.Count; i++)
        {
            if (choice is not null && i == choice.Index)
            {
                var formats = new List<MediaFormat>(2) { choice.Codec };
                if (choice.TelephoneEvent is not null)
                {
                    formats.Add(choice.TelephoneEvent);
                }

                List<SdesCryptoAttribute>? crypto = choice.RemoteCrypto is null
                    ? null
                    : [new SdesCryptoAttribute(choice.RemoteCrypto.Tag, choice.RemoteCrypto.Suite, LocalKey(choice.RemoteCrypto.Suite))];
                string? setup = choice.Negotiated.Dtls is { } dtls ? DtlsSdp.SetupOf(dtls.Role) : null;
                MediaDescription audio = BuildAudio(at.Port, offer.Media[i].Protocol, formats, choice.Direction, choice.RtcpMux, crypto, setup);
                if (choice.Negotiated.RemoteIce is not null)
                {
                    LocalIce?.WriteTo(answer, audio);
                }

                answer.Media.Add(audio);
            }
            else
            {
                answer.Media.Add(Declined(offer.Media[i]));
            }
        }

        _pendingOffer = null;
        _audioIndex = choice?.Index ?? _audioIndex;
        Media = choice?.Negotiated;
        return OfferAnswerResult.Success(Finish(answer));
    }

    /// <summary>
    /// Applies the answer to our outstanding offer. On failure (status 400 or 488) the previous <see cref="Media"/> stays in
    /// force; the user agent should then end the call or re-offer (RFC 3261 §13.2.1 allows no 488 to an answer).
    /// </summary>
    public OfferAnswerResult ApplyAnswer(string answerSdp)
    {
        SessionDescription? offer = _pendingOffer;
        if (offer is null)
        {
            return OfferAnswerResult.Failure(500, "no offer outstanding");
        }

        if (!SessionDescription.TryParse(answerSdp, out SessionDescription? answer, out string? parseError))
        {
            return OfferAnswerResult.Failure(400, "bad SDP: " + parseError);
        }

        if (answer.Media.Count != offer.Media.Count)
        {
            return OfferAnswerResult.Failure(488, "answer does not have one m-line per offered m-line (RFC 3264 §6)");
        }

        MediaDescription offered = offer.Media[_audioIndex];
        MediaDescription answered = answer.Media[_audioIndex];
        if (answered.Port == 0)
        {
            Commit(offer, null);
            return OfferAnswerResult.Success(null);
        }

        if (!string.Equals(answered.Protocol, offered.Protocol, StringComparison.OrdinalIgnoreCase))
        {
            return OfferAnswerResult.Failure(488, "answer changed the transport protocol");
        }

        MediaFormat? send = null;
        MediaFormat? ours = null;
        int? sendEvent = null;
        foreach (string token in answered.Formats)
        {
            if (!TryPayloadType(token, out int pt) || answered.GetFormat(pt) is not MediaFormat format)
            {
                continue;
            }

            MediaFormat? match = FindOffered(offered, format);
            if (match is null)
            {
                continue;
            }

            if (format.IsTelephoneEvent)
            {
                sendEvent ??= pt;
            }
            else if (send is null)
            {
                send = format;
                ours = match;
            }
        }

        if (send is null || ours is null)
        {
            return OfferAnswerResult.Failure(488, "answer has no codec that was offered");
        }

        NegotiatedDtls? dtls = null;
        if (DtlsSdp.IsDtlsSrtp(offered.Protocol))
        {
            // RFC 5763 §5: the answerer is the active (client) or passive (server) end, and names its certificate.
            DtlsFingerprint? fingerprint = DtlsSdp.Fingerprint(answer, answered);
            string setup = DtlsSdp.Setup(answer, answered);
            DtlsRole? role = setup switch { "active" => DtlsRole.Server, "passive" => DtlsRole.Client, _ => null };
            if (fingerprint is null || role is null)
            {
                return OfferAnswerResult.Failure(488, fingerprint is null ? "answer has no usable a=fingerprint" : "answer has a=setup:" + setup);
            }

            dtls = new NegotiatedDtls(role.Value, fingerprint);
        }

        SrtpKeys? keys = null;
        bool secure = IsSecure(offered.Protocol);
        if (secure || offered.HasAttribute("crypto"))
        {
            SdesCryptoAttribute? remote = null;
            foreach (SdpAttribute attribute in answered.Attributes)
            {
                if (string.Equals(attribute.Name, "crypto", StringComparison.OrdinalIgnoreCase) && attribute.Value is not null
                    && SdesCryptoAttribute.TryParse(attribute.Value, out SdesCryptoAttribute? parsed) && OfferedTag(parsed))
                {
                    remote = parsed;
                    break;
                }
            }

            if (remote is null && secure)
            {
                return OfferAnswerResult.Failure(488, "answer has no usable a=crypto matching the offer");
            }

            // Best-effort SRTP (an RTP/AVP offer with a=crypto): a plain answer means plain RTP.
            keys = remote is null ? null : new SrtpKeys(remote.Suite, LocalKey(remote.Suite), remote.MasterKey);
        }

        MediaDirection offeredDirection = offered.Direction ?? MediaDirection.SendReceive;
        MediaDirection direction = offeredDirection & Reverse(RemoteDirection(answer, answered));
        int? receiveEvent = null;
        foreach (MediaFormat format in _formats)
        {
            if (format.IsTelephoneEvent && sendEvent is not null)
            {
                receiveEvent = format.PayloadType;
                break;
            }
        }

        bool mux = offered.HasAttribute("rtcp-mux") && answered.HasAttribute("rtcp-mux");
        Commit(offer, Negotiate(answer, answered, send, ours.PayloadType, sendEvent, receiveEvent, direction, mux, keys) with { Dtls = dtls });
        return OfferAnswerResult.Success(null);
    }

    private void Commit(SessionDescription offer, NegotiatedMedia? media)
    {
        _lastLocal = offer;
        _pendingOffer = null;
        Media = media;
    }

    private AudioChoice? TryChooseAudio(SessionDescription offer, int index, ref string reason)
    {
        MediaDescription media = offer.Media[index];
        bool dtls = DtlsSdp.IsDtlsSrtp(media.Protocol);
        if (!media.IsRtp && !dtls)
        {
            reason = "unsupported transport " + media.Protocol;
            return null;
        }

        if (dtls != (_options.Srtp == SrtpPolicy.DtlsSrtp))
        {
            // DTLS-SRTP is all or nothing: an account set to it takes nothing else, one not set to it takes no DTLS.
            reason = dtls ? "DTLS-SRTP not enabled" : "DTLS-SRTP required";
            return null;
        }

        SdesCryptoAttribute? remoteCrypto = null;
        NegotiatedDtls? negotiatedDtls = null;
        if (dtls)
        {
            DtlsFingerprint? fingerprint = DtlsSdp.Fingerprint(offer, media);
            string setup = DtlsSdp.Setup(offer, media);

            // RFC 5763 §5: we answer actpass as the active end (client); an existing association keeps its role.
            DtlsRole? role = setup switch
            {
                "actpass" => Media?.Dtls?.Role ?? DtlsRole.Client,
                "active" => DtlsRole.Server,
                "passive" => DtlsRole.Client,
                _ => null,
            };
            if (fingerprint is null || role is null)
            {
                reason = fingerprint is null ? "no usable a=fingerprint" : "a=setup:" + setup;
                return null;
            }

            negotiatedDtls = new NegotiatedDtls(role.Value, fingerprint);
        }
        else if (IsSecure(media.Protocol))
        {
            if (_options.Srtp == SrtpPolicy.Disabled)
            {
                reason = "SRTP not enabled";
                return null;
            }

            foreach (SdpAttribute attribute in media.Attributes)
            {
                if (string.Equals(attribute.Name, "crypto", StringComparison.OrdinalIgnoreCase) && attribute.Value is not null
                    && SdesCryptoAttribute.TryParse(attribute.Value, out remoteCrypto))
                {
                    break;
                }
            }

            if (remoteCrypto is null)
            {
                reason = "no usable a=crypto";
                return null;
            }
        }
        else if (_options.Srtp != SrtpPolicy.Disabled)
        {
            // Best-effort SRTP: an RTP/AVP offer that carries a=crypto is keyed the same way (what baresip's "srtp" and
            // other SDES endpoints offer when encryption is optional).
            foreach (SdpAttribute attribute in media.Attributes)
            {
                if (string.Equals(attribute.Name, "crypto", StringComparison.OrdinalIgnoreCase) && attribute.Value is not null
                    && SdesCryptoAttribute.TryParse(attribute.Value, out remoteCrypto))
                {
                    break;
                }
            }

            if (remoteCrypto is null && _options.Srtp == SrtpPolicy.Required)
            {
                reason = "SRTP required";
                return null;
            }
        }

        MediaFormat? codec = null;
        foreach (MediaFormat wanted in _formats)
        {
            if (wanted.IsTelephoneEvent)
            {
                continue;
            }

            codec = FindOffered(media, wanted);
            if (codec is not null)
            {
                break;
            }
        }

        if (codec is null)
        {
            reason = "no common codec";
            return null;
        }

        MediaFormat? telephoneEvent = null;
        foreach (MediaFormat wanted in _formats)
        {
            if (wanted.IsTelephoneEvent)
            {
                // Prefer events at the codec's clock rate (RFC 4733 §2.1), else any rate offered.
                telephoneEvent = FindOffered(media, wanted with { ClockRate = codec.ClockRate }) ?? FindOffered(media, wanted);
                break;
            }
        }

        MediaDirection wantedDirection = IsOnHold ? MediaDirection.SendOnly : MediaDirection.SendReceive;
        MediaDirection direction = wantedDirection & Reverse(RemoteDirection(offer, media));
        bool mux = media.HasAttribute("rtcp-mux");
        SrtpKeys? keys = remoteCrypto is null ? null : new SrtpKeys(remoteCrypto.Suite, LocalKey(remoteCrypto.Suite), remoteCrypto.MasterKey);
        int? eventType = telephoneEvent?.PayloadType;
        NegotiatedMedia negotiated = Negotiate(offer, media, codec, codec.PayloadType, eventType, eventType, direction, mux, keys) with
        {
            Dtls = negotiatedDtls,
        };
        return new AudioChoice(index, codec, telephoneEvent, direction, mux, remoteCrypto, negotiated);
    }

    private static NegotiatedMedia Negotiate(SessionDescription remote, MediaDescription media, MediaFormat send, int receivePayloadType,
        int? sendEvent, int? receiveEvent, MediaDirection direction, bool mux, SrtpKeys? keys)
    {
        SdpConnection? connection = media.Connection ?? remote.Connection;
        IPEndPoint? rtp = null;
        IPEndPoint? rtcp = null;
        if (connection is not null && !connection.IsUnspecified && IPAddress.TryParse(connection.Address, out IPAddress? address))
        {
            rtp = new IPEndPoint(address, media.Port);
            int rtcpPort = mux ? media.Port : RtcpPort(media) ?? media.Port + 1;
            rtcp = new IPEndPoint(address, Math.Min(rtcpPort, IPEndPoint.MaxPort));
        }

        return new NegotiatedMedia
        {
            RemoteHost = connection?.Address ?? string.Empty,
            RemoteRtpPort = media.Port,
            RemoteRtp = rtp,
            RemoteRtcp = rtcp,
            SendFormat = send,
            ReceivePayloadType = receivePayloadType,
            SendTelephoneEventPayloadType = sendEvent,
            ReceiveTelephoneEventPayloadType = receiveEvent,
            Direction = direction,
            PacketTime = media.PacketTime ?? DefaultPacketTime,
            RtcpMux = mux,
            Srtp = keys,
            RemoteIce = RemoteIce(remote, media),
        };
    }

    /// <summary>
    /// The peer's ICE attributes, when it does ICE and its default destination is one of its candidates: RFC 8839
    /// §4.4.1.1 reads a c=/m= that is none of them as a sign that something on the path (a SIP ALG) rewrote the SDP, and
    /// then plain offer/answer is used, as with a peer without ICE (RFC 8445 §5.4).
    /// </summary>
    private static Ice.IceMediaParameters? RemoteIce(SessionDescription remote, MediaDescription media) =>
        Ice.IceMediaParameters.TryRead(remote, media, out Ice.IceMediaParameters? ice, out _) && ice.ContainsDefaultDestination(remote, media)
            ? ice
            : null;

    private static int? RtcpPort(MediaDescription media)
    {
        // RFC 3605: a=rtcp:port [nettype addrtype address]
        string? value = media.GetAttribute("rtcp");
        if (value is null)
        {
            return null;
        }

        ReadOnlySpan<char> port = value.AsSpan().Trim();
        int space = port.IndexOf(' ');
        if (space >= 0)
        {
            port = port[..space];
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed is > 0 and <= 65535 ? parsed : null;
    }

    private static MediaDirection RemoteDirection(SessionDescription description, MediaDescription media)
    {
        MediaDirection direction = media.Direction ?? description.Direction ?? MediaDirection.SendReceive;
        SdpConnection? connection = media.Connection ?? description.Connection;
        if (connection is not null && connection.IsUnspecified)
        {
            // RFC 2543 hold (c=0.0.0.0): the peer does not want to receive (RFC 3264 §8.4).
            direction &= MediaDirection.SendOnly;
        }

        return direction;
    }

    private static MediaDirection Reverse(MediaDirection direction) =>
        ((direction & MediaDirection.SendOnly) != 0 ? MediaDirection.ReceiveOnly : MediaDirection.Inactive)
        | ((direction & MediaDirection.ReceiveOnly) != 0 ? MediaDirection.SendOnly : MediaDirection.Inactive);

    private static bool IsSecure(string protocol) => protocol.StartsWith("RTP/SAVP", StringComparison.OrdinalIgnoreCase);

    private static bool TryPayloadType(string token, out int payloadType) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out payloadType) && payloadType <= 127;

    /// <summary>The offered format (with the offerer's number and fmtp) that is the same codec as <paramref name="wanted"/>.</summary>
    private static MediaFormat? FindOffered(MediaDescription media, MediaFormat wanted)
    {
        foreach (string token in media.Formats)
        {
            if (TryPayloadType(token, out int pt) && media.GetFormat(pt) is MediaFormat format && format.Matches(wanted))
            {
                return format;
            }
        }

        return null;
    }

    private List<SdesCryptoAttribute> OfferedCryptos() =>
    [
        new SdesCryptoAttribute(1, SrtpCryptoSuite.AesCm128HmacSha1_80, _key80),
        new SdesCryptoAttribute(2, SrtpCryptoSuite.AesCm128HmacSha1_32, _key32),
    ];

    private static bool OfferedTag(SdesCryptoAttribute answered) =>
        (answered.Tag == 1 && answered.Suite == SrtpCryptoSuite.AesCm128HmacSha1_80)
        || (answered.Tag == 2 && answered.Suite == SrtpCryptoSuite.AesCm128HmacSha1_32);

    private byte[] LocalKey(SrtpCryptoSuite suite) => suite == SrtpCryptoSuite.AesCm128HmacSha1_32 ? _key32 : _key80;

    private MediaDescription BuildAudio(int port, string protocol, IEnumerable<MediaFormat> formats, MediaDirection direction, bool rtcpMux,
        List<SdesCryptoAttribute>? crypto, string? dtlsSetup = null)
    {
        var media = new MediaDescription("audio", port, protocol);
        foreach (MediaFormat format in formats)
        {
            media.Formats.Add(format.PayloadType.ToString(CultureInfo.InvariantCulture));
        }

        foreach (MediaFormat format in formats)
        {
            media.Attributes.Add(new SdpAttribute("rtpmap", format.RtpMap));
            if (format.Parameters is not null)
            {
                media.Attributes.Add(new SdpAttribute("fmtp", format.PayloadType.ToString(CultureInfo.InvariantCulture) + " " + format.Parameters));
            }
        }

        media.Attributes.Add(new SdpAttribute("ptime", _options.PacketTime.ToString(CultureInfo.InvariantCulture)));
        if (rtcpMux)
        {
            media.Attributes.Add(new SdpAttribute("rtcp-mux"));
        }

        if (crypto is not null)
        {
            foreach (SdesCryptoAttribute attribute in crypto)
            {
                media.Attributes.Add(new SdpAttribute("crypto", attribute.ToString()));
            }
        }

        if (dtlsSetup is not null)
        {
            DtlsFingerprint fingerprint = _options.DtlsFingerprint
                ?? throw new InvalidOperationException("DTLS-SRTP needs our certificate's fingerprint (SdpNegotiatorOptions.DtlsFingerprint)");
            media.Attributes.Add(new SdpAttribute("fingerprint", fingerprint.ToString()));
            media.Attributes.Add(new SdpAttribute("setup", dtlsSetup));
        }

        media.Attributes.Add(new SdpAttribute(MediaDescription.DirectionName(direction)));
        return media;
    }

    private static MediaDescription Declined(MediaDescription source)
    {
        // RFC 3264 §6: a rejected stream keeps its media type and protocol, port 0, at least one format.
        var declined = new MediaDescription(source.Media, 0, source.Protocol);
        declined.Formats.Add(source.Formats.Count > 0 ? source.Formats[0] : "0");
        return declined;
    }

    private SessionDescription NewDescription(System.Net.IPEndPoint at)
    {
        string addressType = at.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        string address = at.Address.ToString();
        return new SessionDescription(new SdpOrigin(_options.Username, _sessionId, 0, addressType, address))
        {
            Connection = new SdpConnection(addressType, address),
        };
    }

    private string Finish(SessionDescription description)
    {
        // RFC 3264 §8: the version grows with every change and stays when the description is the same.
        string body = description.ToString();
        if (_lastBody is not null && !string.Equals(body, _lastBody, StringComparison.Ordinal))
        {
            _version++;
        }

        _lastBody = body;
        if (description != _pendingOffer)
        {
            _lastLocal = description;
        }

        description.Origin = description.Origin with { SessionVersion = _version };
        return description.ToString();
    }

    private sealed record AudioChoice(int Index, MediaFormat Codec, MediaFormat? TelephoneEvent, MediaDirection Direction, bool RtcpMux,
        SdesCryptoAttribute? RemoteCrypto, NegotiatedMedia Negotiated);
}
