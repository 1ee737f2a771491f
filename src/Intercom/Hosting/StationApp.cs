using System.Net;
using System.Security.Cryptography.X509Certificates;
using Intercom.Phone;
using Intercom.Configuration;
using Intercom.Hardware;
using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
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
    private readonly CallReconfiguration _reconfiguration;
    private bool _disposed;

    private StationApp(IntercomConfig config, SipStack sip, IBoard board, SipCallControl calls, DoorStation station,
        AccountRegistrations accounts, CallAudio audio, CallReconfiguration reconfiguration, ILogger log)
    {
        Audio = audio;
        Config = config;
        Accounts = accounts;
        _reconfiguration = reconfiguration;
        Sip = sip;
        Board = board;
        Calls = calls;
        Station = station;
        _log = log;
    }

    /// <summary>The configuration the station started with (sections applied live since: <see cref="ReconfigureCallsAsync"/>).</summary>
    public IntercomConfig Config { get; }

    public SipStack Sip { get; }

    public IBoard Board { get; }

    /// <summary>The simulated board when running with --simulate (buttons pressable from tests and the API).</summary>
    public SimulatedBoard? SimulatedBoard => Board as SimulatedBoard;

    public SipCallControl Calls { get; }

    /// <summary>The microphone and speaker the calls use, and the station's tones.</summary>
    public CallAudio Audio { get; }

    public DoorStation Station { get; }

    /// <summary>The registering accounts and their registration clients, kept in step with live configuration changes.</summary>
    public AccountRegistrations Accounts { get; }

    /// <summary>One per account that registers now, in configuration order.</summary>
    public IReadOnlyList<RegistrationClient> Registrations => [.. Accounts.Current.Select(r => r.Client)];

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
        AccountRegistrations? accounts = null;
        CallAudio? audio = null;
        var admission = new SipAdmission();
        try
        {
            sip = CreateSipStack(config, admission, time, logs);

            // The first REGISTER goes out before the sound devices, the media address and the door-station logic are built
            // (StartupOrder.cs): none of them is needed to register, and they take longer than the registrar's answer.
            accounts = StartRegistrations(config, sip);
            admission.TrustServersOf(accounts);
            audio = CallAudioHosting.CreateAudio(config, simulate, time, logs);
            var mediaAddress = CallAccounts.MediaAddress(config, sip);
            var calls = new SipCallControl(sip.Agent, CallAccounts.CreateCallAccounts(config, accounts, log), CallReconfiguration.MediaFactory(config, mediaAddress, audio, time), audio.PlayTone, time);
            var station = new DoorStation(config.Station, board, calls, time, logs.CreateLogger("station"));
            station.Start();
            StartupOrder.ReportRegistrations(sip, accounts, station);
            var reconfiguration = new CallReconfiguration(config, mediaAddress, sip, calls, audio, accounts, admission, simulate, time, logs);
            return new StationApp(config, sip, board, calls, station, accounts, audio, reconfiguration, log);
        }
        catch
        {
            accounts?.Dispose();
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
        var all = Accounts.StopAsync();
        await Task.WhenAny(all, Task.Delay(timeout)).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies changed "name", "accounts", "media" and "audio" sections of a validated configuration live, without touching
    /// a call in progress (see <see cref="CallReconfiguration"/>), and names the sections applied.
    /// </summary>
    public Task<IReadOnlyList<string>> ReconfigureCallsAsync(IntercomConfig config) => _reconfiguration.ApplyAsync(config);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Accounts.Dispose();

        // Order matters: no new calls, end the calls, then the relays go to their released level whatever happened.
        Station.Dispose();
        Calls.Dispose();
        Sip.Dispose();
        Audio.Dispose();
        Board.ReleaseAll();
        Board.Dispose();
    }

    private static SipStack CreateSipStack(IntercomConfig config, SipAdmission admission, TimeProvider time, ILoggerFactory logs)
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
        stack.Agent.IncomingAuthentication = SipIncomingAuth.FromConfig(config.Sip.IncomingAuth, time);
        // Before the first listener opens: no INVITE is ever taken without its source checked.
        stack.Agent.Admission = admission.Create(config.Station.Incoming);
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

    private static AccountRegistrations StartRegistrations(IntercomConfig config, SipStack sip)
    {
        var accounts = AccountRegistrations.Create(config, sip);

        // A lost TCP/TLS flow re-registers at once (RFC 5626 §4.4.1) instead of waiting for the next refresh.
        sip.Transport.ConnectionClosed = accounts.OnFlowClosed;
        accounts.Start();
        return accounts;
    }
}
