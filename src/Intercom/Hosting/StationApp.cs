using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Intercom.Calls;
using Intercom.Configuration;
using Intercom.Hardware;
using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station;
using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>
/// The composition root: the configuration turned into a running station — SIP stack and listeners, the account's call
/// identity, the board (GPIO or simulated), per-call media and the door-station rules on top. Used by `intercom run`, the
/// demo and end-to-end tests alike.
/// </summary>
public sealed class StationApp : IDisposable
{
    private readonly ILogger _log;
    private bool _disposed;

    private StationApp(IntercomConfig config, SipStack sip, IBoard board, SipCallControl calls, DoorStation station,
        IReadOnlyList<RegistrationClient> registrations, CallAudio audio, ILogger log)
    {
        Audio = audio;
        Config = config;
        Registrations = registrations;
        Sip = sip;
        Board = board;
        Calls = calls;
        Station = station;
        _log = log;
    }

    public IntercomConfig Config { get; }

    public SipStack Sip { get; }

    public IBoard Board { get; }

    /// <summary>The simulated board when running with --simulate (buttons pressable from tests and the API).</summary>
    public SimulatedBoard? SimulatedBoard => Board as SimulatedBoard;

    public SipCallControl Calls { get; }

    /// <summary>The microphone and speaker the calls use, and the station's tones.</summary>
    public CallAudio Audio { get; }

    public DoorStation Station { get; }

    /// <summary>One per account that registers, in configuration order.</summary>
    public IReadOnlyList<RegistrationClient> Registrations { get; }

    public static StationApp Start(IntercomConfig config, bool simulate, ILoggerFactory logs, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(logs);
        time ??= TimeProvider.System;
        var log = logs.CreateLogger("intercom");

        // The relays are released first: whatever a previous process left energised is switched off (fail closed).
        var layout = BoardLayoutBuilder.Build(config.Station);
        IBoard board = simulate ? new SimulatedBoard(layout, time) : GpioBoard.Open(layout, time, config.Station.Board.GpioChip);
        board.ReleaseAll();
        log.LogInformation("relays released at start: {Relays}", string.Join(", ", layout.Relays.Select(r => r.Id)));

        SipStack? sip = null;
        CallAudio? audio = null;
        try
        {
            sip = CreateSipStack(config, time, logs);
            var account = CreateAccount(config);
            var mediaAddress = MediaAddress(config, sip);
            audio = CallAudioHosting.CreateAudio(config, simulate, time, logs);
            var mediaOptions = CallAudioHosting.MediaOptions(config, time);
            var callAudio = audio;
            var calls = new SipCallControl(sip.Agent, account, () => CallMediaSession.Create(mediaAddress, mediaOptions, callAudio), callAudio.PlayTone, time);
            var station = new DoorStation(config.Station, board, calls, time, logs.CreateLogger("station"));
            station.Start();
            var registrations = StartRegistrations(config, sip, station);
            return new StationApp(config, sip, board, calls, station, registrations, audio, log);
        }
        catch
        {
            sip?.Dispose();
            audio?.Dispose();
            board.ReleaseAll();
            board.Dispose();
            throw;
        }
    }

    /// <summary>The port a listener got (useful with port 0).</summary>
    public int SipPort(SipTransportProtocol protocol) => Sip.Transport.Listeners.First(l => l.Protocol == protocol).LocalEndPoint.Port;

    /// <summary>Unregisters every account (RFC 3261 §10.2.2, Expires: 0), waiting at most <paramref name="timeout"/>.</summary>
    public async Task UnregisterAsync(TimeSpan timeout)
    {
        var all = Task.WhenAll(Registrations.Select(r => r.StopAsync()));
        await Task.WhenAny(all, Task.Delay(timeout)).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var registration in Registrations)
        {
            registration.Dispose();
        }

        // Order matters: no new calls, end the calls, then the relays go to their released level whatever happened.
        Station.Dispose();
        Calls.Dispose();
        Sip.Dispose();
        Audio.Dispose();
        Board.ReleaseAll();
        Board.Dispose();
    }

    private static SipStack CreateSipStack(IntercomConfig config, TimeProvider time, ILoggerFactory logs)
    {
        var tls = config.Sip.Tls;
        var certificate = tls.CertificateFile is { } certFile && tls.PrivateKeyFile is { } keyFile
            ? X509Certificate2.CreateFromPemFile(certFile, keyFile)
            : null;
        var validation = tls.PinnedFingerprint is not null ? SipTlsPeerValidation.PinnedFingerprint
            : !tls.VerifyPeer ? SipTlsPeerValidation.None
            : tls.CaFile is not null ? SipTlsPeerValidation.ConfiguredCertificateAuthorities
            : SipTlsPeerValidation.SystemCertificateAuthorities;
        byte[]? pin = null;
        if (tls.PinnedFingerprint is { } text && SipTlsOptions.TryParseFingerprint(text, out var parsed))
        {
            pin = parsed;
        }

        var stack = SipStack.Create(new SipStackOptions
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
                    CertificateAuthorities = tls.CaFile is { } ca ? SipTlsOptions.LoadCertificateAuthorities(ca) : [],
                    PinnedSha256Fingerprints = pin is null ? [] : [pin],
                },
            },
        }, time, logs);
        try
        {
            foreach (var listen in config.Sip.Listen)
            {
                var protocol = listen.Transport switch
                {
                    "tcp" => SipTransportProtocol.Tcp,
                    "tls" => SipTransportProtocol.Tls,
                    _ => SipTransportProtocol.Udp,
                };
                stack.Listen(protocol, new IPEndPoint(IPAddress.Parse(listen.Address), listen.Port));
            }
        }
        catch
        {
            stack.Dispose();
            throw;
        }

        return stack;
    }

    private static CallAccount CreateAccount(IntercomConfig config)
    {
        if (config.Accounts.Count == 0)
        {
            // Direct IP calls only: our identity is the station's name at our own address.
            return new CallAccount { Identity = new SipNameAddress(SipUri.Parse("sip:intercom@localhost"), config.Name), Domain = "localhost" };
        }

        var account = config.Accounts[0];
        var aor = SipUri.Parse(account.Aor);
        Func<SipRequest, SipResponse, bool>? authorize = null;
        if (Credentials(account) is { } credentials)
        {
            // §22.2/§22.3: one authenticator per account caches the realm's nonce; it refuses a second challenge for
            // fresh credentials (wrong password) so a call never loops on 407.
            var authenticator = new DigestAuthenticator(credentials);
            authorize = (request, challenge) =>
                authenticator.HandleChallenge(request, challenge) == DigestChallengeOutcome.Authorized && authenticator.Authorize(request) > 0;
        }

        return new CallAccount
        {
            Identity = new SipNameAddress(aor, account.DisplayName ?? config.Name),
            Domain = aor.Port is int port ? $"{aor.Host}:{port}" : aor.Host,
            OutboundProxy = account.OutboundProxy is { Length: > 0 } proxy ? SipUri.Parse(proxy) : null,
            Authorize = authorize,
        };
    }

    private static DigestCredentials? Credentials(SipAccountConfig account) =>
        account.Password is { } password ? new DigestCredentials(account.Username ?? SipUri.Parse(account.Aor).User ?? "", password) : null;

    private static List<RegistrationClient> StartRegistrations(IntercomConfig config, SipStack sip, DoorStation station)
    {
        var clients = new List<RegistrationClient>();
        foreach (var account in config.Accounts.Where(a => a.Register))
        {
            var transport = account.Transport switch
            {
                "tcp" => SipTransportProtocol.Tcp,
                "tls" => SipTransportProtocol.Tls,
                _ => SipTransportProtocol.Udp,
            };
            var client = new RegistrationClient(sip.Transactions, sip.Locator, new RegistrationOptions
            {
                AddressOfRecord = SipUri.Parse(account.Aor),
                Registrar = account.Registrar is { Length: > 0 } registrar ? SipUri.Parse(registrar) : null,
                OutboundProxy = account.OutboundProxy is { Length: > 0 } proxy ? SipUri.Parse(proxy) : null,
                Transport = transport,
                Credentials = Credentials(account),
                DisplayName = account.DisplayName ?? config.Name,
                ContactUser = sip.Agent.Options.ContactUser,
                Expires = TimeSpan.FromSeconds(account.ExpiresSeconds),
                KeepAliveInterval = account.Keepalive == "off" ? null : TimeSpan.FromSeconds(account.KeepaliveIntervalSeconds),
                UdpKeepAlive = account.Keepalive == "crlf" ? SipKeepAliveMethod.Crlf : SipKeepAliveMethod.Options,
                UserAgent = sip.Agent.Options.Product,
                RetryBaseDelay = TimeSpan.FromSeconds(config.Sip.RegistrationBackoff.BaseSeconds),
                RetryMaximumDelay = TimeSpan.FromSeconds(config.Sip.RegistrationBackoff.MaxSeconds),
            }, new TransportKeepAliveSender(sip.Transport));
            var id = account.Id;
            client.StatusChanged += (_, status) =>
                station.SetRegistered(status.State == RegistrationState.Registered, $"{id}: {status.State} {status.Reason}");
            client.Start();
            clients.Add(client);
        }

        // A lost TCP/TLS flow re-registers at once (RFC 5626 §4.4.1) instead of waiting for the next refresh.
        sip.Transport.ConnectionClosed = destination =>
        {
            foreach (var client in clients)
            {
                client.OnFlowClosed(destination);
            }
        };
        return clients;
    }

    /// <summary>
    /// The address our SDP advertises: the SIP listener's when it is bound to one, else the interface the kernel would
    /// use toward the account's host (a connected UDP socket sends nothing).
    /// </summary>
    private static IPAddress MediaAddress(IntercomConfig config, SipStack sip)
    {
        var bound = sip.Transport.Listeners.Select(l => l.LocalEndPoint.Address).FirstOrDefault(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any));
        if (bound is not null)
        {
            return bound;
        }

        var host = config.Accounts.Count > 0 ? SipUri.Parse(config.Accounts[0].Aor).Host.Trim('[', ']') : "127.0.0.1";
        if (!IPAddress.TryParse(host, out var target))
        {
            target = Dns.GetHostAddresses(host).FirstOrDefault() ?? IPAddress.Loopback;
        }

        using var probe = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(new IPEndPoint(target, 5060));
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }
}
