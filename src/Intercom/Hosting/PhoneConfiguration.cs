using System.Net;
using System.Security.Cryptography.X509Certificates;
using Intercom.Audio;
using Intercom.Configuration;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Media.Streams;
using Intercom.Media.Turn;
using Intercom.Phone;
using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station.Configuration;

namespace Intercom.Hosting;

/// <summary>
/// The one place the phone's options are read from the configuration (validated, so every URI, address and token here
/// already passed the SIP stack's own parsers): the live part (<see cref="Options"/>) at start and at every change, the
/// stack's own settings and listeners once at start.
/// </summary>
internal static class PhoneConfiguration
{
    /// <summary>What the phone applies live: accounts, registration back-off, incoming callers, media and audio.</summary>
    /// <param name="config">The validated configuration.</param>
    /// <param name="simulate">--simulate: null audio without a sound card.</param>
    /// <param name="time">The clock.</param>
    /// <param name="instanceId">The station's RFC 5626 instance id (<see cref="SipInstanceId"/>); null: no account offers outbound.</param>
    public static PhoneOptions Options(IntercomConfig config, bool simulate, TimeProvider time, string? instanceId = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new PhoneOptions
        {
            Name = config.Name,
            InstanceId = instanceId,
            Accounts = [.. config.Accounts.Select(Account)],
            RegistrationRetryBaseDelay = TimeSpan.FromSeconds(config.Sip.RegistrationBackoff.BaseSeconds),
            RegistrationRetryMaximumDelay = TimeSpan.FromSeconds(config.Sip.RegistrationBackoff.MaxSeconds),
            IncomingAuth = config.Sip.IncomingAuth is { Enabled: true, Username: { } user, Password: { } password } auth
                ? new IncomingAuthOptions(auth.Realm, user, password, [.. auth.Algorithms.Select(a => a == "MD5" ? DigestAlgorithm.Md5 : DigestAlgorithm.Sha256)])
                : null,
            IncomingSources = Networks(config.Station.Incoming),
            Media = Media(config.Media, time),
            Audio = Audio(config.Audio),
            SimulatedAudioWithoutCard = simulate,
        };
    }

    /// <summary>The SIP stack's settings, read once at start (a change of sip.tls, sip.timers or sip.rateLimit needs a restart).</summary>
    public static SipStackOptions Stack(IntercomConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var tls = config.Sip.Tls;
        var certificate = tls.CertificateFile is { } certFile && tls.PrivateKeyFile is { } keyFile
            ? X509Certificate2.CreateFromPemFile(certFile, keyFile)
            : null;
        return Stack(config, certificate, tls.CaFile is { } ca ? CertificateAuthorityFile.Load(ca) : []);
    }

    /// <summary>
    /// As <see cref="Stack(IntercomConfig)"/> with the TLS identity and trust anchors already read: pure, so the config
    /// fuzz target (tests/Intercom.Fuzz) builds the options for every file the loader accepts without touching files.
    /// </summary>
    internal static SipStackOptions Stack(IntercomConfig config, X509Certificate2? certificate, X509Certificate2Collection authorities)
    {
        var tls = config.Sip.Tls;
        var validation = tls.PinnedFingerprint is not null ? SipTlsPeerValidation.PinnedFingerprint
            : !tls.VerifyPeer ? SipTlsPeerValidation.None
            : tls.CaFile is not null ? SipTlsPeerValidation.ConfiguredCertificateAuthorities
            : SipTlsPeerValidation.SystemCertificateAuthorities;
        byte[]? pin = null;
        if (tls.PinnedFingerprint is { } text && SipTlsOptions.TryParseFingerprint(text, out var parsed))
        {
            pin = parsed;
        }

        return new SipStackOptions
        {
            Agent = new SipUserAgentOptions
            {
                ContactUser = config.Accounts.Count > 0 ? SipUri.Parse(config.Accounts[0].Aor).User ?? "intercom" : "intercom",
                Product = $"{config.Sip.UserAgent}/{IntercomCli.Version}",
            },
            Timers = new SipTimerSettings
            {
                T1 = TimeSpan.FromMilliseconds(config.Sip.Timers.T1Ms),
                T2 = TimeSpan.FromMilliseconds(config.Sip.Timers.T2Ms),
                T4 = TimeSpan.FromMilliseconds(config.Sip.Timers.T4Ms),
            },
            Transport = new SipTransportOptions
            {
                RateLimit = SipRateLimiting.FromConfig(config.Sip.RateLimit),
                Tls = new SipTlsOptions
                {
                    Certificate = certificate,
                    ServerValidation = validation,
                    CertificateAuthorities = authorities,
                    PinnedSha256Fingerprints = pin is null ? [] : [pin],
                },
            },
        };
    }

    /// <summary>The listeners of sip.listen, opened once at start.</summary>
    public static IReadOnlyList<PhoneListener> Listeners(IntercomConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return [.. config.Sip.Listen.Select(l => new PhoneListener(Transport(l.Transport), new IPEndPoint(IPAddress.Parse(l.Address), l.Port)))];
    }

    private static AccountOptions Account(SipAccountConfig account) => new()
    {
        Id = account.Id,
        AddressOfRecord = account.Aor,
        DisplayName = account.DisplayName,
        Username = account.Username,
        Password = account.Password,
        Registrar = account.Registrar,
        OutboundProxy = account.OutboundProxy,
        Transport = Transport(account.Transport),
        Srtp = account.Srtp switch
        {
            "offered" => SrtpPolicy.Optional,
            "required" => SrtpPolicy.Required,
            "dtls-srtp" => SrtpPolicy.DtlsSrtp,
            _ => SrtpPolicy.Disabled,
        },
        Register = account.Register,
        Expires = TimeSpan.FromSeconds(account.ExpiresSeconds),
        KeepAliveInterval = account.Keepalive == "off" ? null : TimeSpan.FromSeconds(account.KeepaliveIntervalSeconds),
        UdpKeepAlive = account.Keepalive == "crlf" ? SipKeepAliveMethod.Crlf : SipKeepAliveMethod.Options,
        Outbound = account.Nat.Outbound,
        Nat = account.Nat.Stun.Count == 0 && account.Nat.Turn.Servers.Count == 0 ? AccountNatOptions.None : new AccountNatOptions
        {
            StunServers = [.. account.Nat.Stun.Select(StunServer)],
            Ice = account.Nat.Ice,
            Turn = account.Nat.Turn.Servers.Count == 0 ? null : new AccountTurnOptions
            {
                Servers = [.. account.Nat.Turn.Servers.Select(TurnServer)],
                Username = account.Nat.Turn.Username ?? "",
                Password = account.Nat.Turn.Password ?? "",
            },
        },
    };

    /// <summary>A validated accounts[].nat.turn.servers entry (RFC 7065) as the phone allocates on it.</summary>
    private static AccountTurnServer TurnServer(string uri) =>
        TurnServerUri.TryParse(uri, out var host, out var port, out var transport, out var error)
            ? new AccountTurnServer(host, port, transport switch { "tcp" => TurnTransport.Tcp, "tls" => TurnTransport.Tls, _ => TurnTransport.Udp })
            : throw new InvalidOperationException($"unvalidated TURN URI: {error}");

    /// <summary>A validated accounts[].nat.stun entry ("stun:HOST[:PORT]", RFC 7064) as the phone asks it.</summary>
    private static DnsEndPoint StunServer(string uri) =>
        StunServerUri.TryParse(uri, out var host, out var port, out var error) ? new DnsEndPoint(host, port)
            : throw new InvalidOperationException($"unvalidated STUN URI: {error}");

    private static SipTransportProtocol Transport(string transport) => transport switch
    {
        "tcp" => SipTransportProtocol.Tcp,
        "tls" => SipTransportProtocol.Tls,
        _ => SipTransportProtocol.Udp,
    };

    /// <summary>The networks of station.incoming.sources (entries that do not parse are left out: the validator refuses them).</summary>
    private static IReadOnlyList<IPNetwork> Networks(IncomingConfig incoming)
    {
        var networks = new List<IPNetwork>();
        foreach (var source in incoming.Sources)
        {
            if (SourceNetwork.TryParse(source, out var network, out _))
            {
                networks.Add(network);
            }
        }

        return networks;
    }

    /// <summary>What each call offers: codecs in the configured order, telephone-event, ptime (SRTP: each call's account's).</summary>
    private static CallMediaOptions Media(MediaConfig media, TimeProvider time)
    {
        var formats = new List<MediaFormat>();
        foreach (var codec in media.Codecs)
        {
            MediaFormat? format = codec switch
            {
                "opus" => MediaFormat.Opus,
                "g722" => MediaFormat.G722,
                "pcmu" => MediaFormat.Pcmu,
                "pcma" => MediaFormat.Pcma,
                _ => null,
            };
            if (format is not null && !formats.Contains(format))
            {
                formats.Add(format);
            }
        }

        if (formats.Count == 0)
        {
            formats.Add(MediaFormat.Pcmu);
        }

        return new CallMediaOptions
        {
            RtpPortMin = media.RtpPortMin,
            RtpPortMax = media.RtpPortMax,
            Formats = formats,
            TelephoneEvent = media.TelephoneEvent,
            PacketTimeMs = media.PtimeMs,
            MediaTimeout = TimeSpan.FromSeconds(media.MediaTimeoutSeconds),
            InBandDtmf = media.InBandDtmf switch
            {
                "always" => InBandDtmfMode.Always,
                "off" => InBandDtmfMode.Off,
                _ => InBandDtmfMode.Auto,
            },
            OpusBitrate = media.OpusBitrate,
            Time = time,
        };
    }

    /// <summary>The audio section as the audio library's options.</summary>
    private static AudioOptions Audio(AudioConfig audio) => new()
    {
        Driver = audio.Driver switch
        {
            "null" => AudioDriver.Null,
            "wav" => AudioDriver.Wav,
            _ => AudioDriver.Alsa,
        },
        CaptureDevice = audio.CaptureDevice,
        PlaybackDevice = audio.PlaybackDevice,
        SampleRate = audio.SampleRate,
        PeriodMs = audio.PeriodMs,
        EchoControl = audio.EchoControl switch
        {
            "off" => EchoControl.Off,
            "halfDuplex" => EchoControl.HalfDuplex,
            _ => EchoControl.Cancel,
        },
        EchoTailMs = audio.EchoTailMs,
        NoiseSuppression = audio.NoiseSuppression,
        MicrophoneGainDb = audio.MicrophoneGainDb,
        SpeakerVolumeDb = audio.SpeakerVolumeDb,
        LocalSoundLevelDbfs = audio.LocalSoundLevelDbfs,
        CaptureWavPath = audio.CaptureWavPath,
        PlaybackWavPath = audio.PlaybackWavPath,
        AlsaConfigPath = audio.AlsaConfigPath,
    };
}
