using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Registration;
using Microsoft.Extensions.Logging;

namespace Intercom.Phone;

/// <summary>
/// The station's phone, as pjsua-lib is pjsip's: the SIP stack and its listeners, the accounts and their registrations,
/// the calls with their media and the sound devices, behind Station's call port (<see cref="Calls"/>). Started from
/// options the app reads from the configuration; <see cref="ApplyAsync"/> applies changed options live without touching
/// a call in progress.
/// </summary>
public sealed class SipPhone : IDisposable
{
    private readonly CallReconfiguration _reconfiguration;
    private readonly AccountRegistrationReporter _registrationReporter;
    private bool _disposed;

    private SipPhone(SipStack sip, AccountRegistrations accounts, AccountRegistrationReporter registrationReporter, CallAudio audio, SipCallControl calls,
        CallReconfiguration reconfiguration)
    {
        _registrationReporter = registrationReporter;
        Sip = sip;
        Accounts = accounts;
        Audio = audio;
        Calls = calls;
        _reconfiguration = reconfiguration;
    }

    /// <summary>The sections of the configuration the phone applies live (<see cref="ApplyAsync"/> names those it applied).</summary>
    public static IReadOnlyList<string> LiveSections => CallReconfiguration.LiveSections;

    public SipStack Sip { get; }

    /// <summary>The registering accounts and their registration clients, kept in step with <see cref="ApplyAsync"/>.</summary>
    public AccountRegistrations Accounts { get; }

    /// <summary>
    /// An account's registration changed (state, reason, registrar; never a secret), raised on the SIP loop: handlers must
    /// return at once. To see every change from the current state on, read <see cref="RegistrationStates"/> and subscribe
    /// in one step posted to the SIP loop (<see cref="SipStack.Loop"/>).
    /// </summary>
    public event Action<AccountRegistrationChange>? RegistrationChanged
    {
        add => _registrationReporter.Changed += value;
        remove => _registrationReporter.Changed -= value;
    }

    /// <summary>Where each registering account's registration stands now, in configuration order.</summary>
    public IReadOnlyList<AccountRegistrationChange> RegistrationStates =>
        [.. Accounts.Current.Select(r => AccountRegistrationChange.Of(r.AccountId, r.Client.Status))];

    /// <summary>The microphone and speaker the calls use, and the station's tones.</summary>
    public CallAudio Audio { get; }

    /// <summary>The calls, in the station's terms (Station's call port).</summary>
    public SipCallControl Calls { get; }

    /// <summary>
    /// Opens the SIP stack on <paramref name="listen"/>, sends the accounts' first REGISTERs, then opens the sound devices
    /// and gets ready to call. The first REGISTER goes out before the sound devices and the media address are set up: none
    /// of them is needed to register, and they take longer than the registrar's answer.
    /// </summary>
    /// <param name="stack">The SIP stack's settings (transport, TLS, timers, user agent), read once.</param>
    /// <param name="listen">The listeners, opened once.</param>
    /// <param name="options">What is applied live later.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logs">Where the phone logs.</param>
    public static SipPhone Start(SipStackOptions stack, IReadOnlyList<PhoneListener> listen, PhoneOptions options, TimeProvider time, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logs);
        var log = logs.CreateLogger("intercom");
        SipStack? sip = null;
        AccountRegistrations? accounts = null;
        CallAudio? audio = null;
        var admission = new SipAdmission();
        try
        {
            sip = SipStack.Create(stack, time, logs);
            sip.Agent.IncomingAuthentication = options.IncomingAuth?.Create(time);
            // Before the first listener opens: no INVITE is ever taken without its source checked.
            sip.Agent.Admission = admission.Create(options.IncomingSources);
            foreach (var listener in listen)
            {
                sip.Listen(listener.Protocol, listener.EndPoint);
            }

            accounts = AccountRegistrations.Create(options, sip);
            // A lost TCP/TLS flow re-registers at once (RFC 5626 §4.4.1) instead of waiting for the next refresh.
            sip.Transport.ConnectionClosed = accounts.OnFlowClosed;
            // RFC 5626 §4.4.1: a ping unanswered on an outbound flow is a failed flow; §4.3: calls over it say ;ob.
            sip.Transport.KeepAlivePongReceived = accounts.OnKeepAlivePong;
            sip.Agent.OutboundInstance = accounts.OutboundInstance;
            accounts.StatusChanged += new OutboundLog(log).OnStatus;
            var registrationReporter = new AccountRegistrationReporter(accounts);
            accounts.Start();
            admission.TrustServersOf(accounts);

            audio = CallAudioHosting.CreateAudio(options, time, logs);
            var mediaAddress = CallAccounts.MediaAddress(options, sip);
            var calls = new SipCallControl(sip.Agent, CallAccounts.CreateCallAccounts(options, accounts, log),
                CallReconfiguration.MediaFactory(options.Media, mediaAddress, audio), audio.PlayTone, time, log);
            var reconfiguration = new CallReconfiguration(options, mediaAddress, sip, calls, audio, accounts, admission, time, logs);
            return new SipPhone(sip, accounts, registrationReporter, audio, calls, reconfiguration);
        }
        catch
        {
            accounts?.Dispose();
            sip?.Dispose();
            audio?.Dispose();
            throw;
        }
    }

    /// <summary>One per account that registers now, in order.</summary>
    public IReadOnlyList<RegistrationClient> Registrations => [.. Accounts.Current.Select(r => r.Client)];

    /// <summary>The port a listener got (useful with port 0).</summary>
    public int SipPort(SipTransportProtocol protocol) => Sip.Transport.Listeners.First(l => l.Protocol == protocol).LocalEndPoint.Port;

    /// <summary>
    /// Applies changed accounts, media and audio (and the name, registration back-off, incoming authentication and
    /// sources) live, without touching a call in progress, and names the sections applied (<see cref="LiveSections"/>).
    /// </summary>
    public Task<IReadOnlyList<string>> ApplyAsync(PhoneOptions options) => _reconfiguration.ApplyAsync(options);

    /// <summary>Unregisters every account (RFC 3261 §10.2.2, Expires: 0), waiting at most <paramref name="timeout"/>.</summary>
    public async Task UnregisterAsync(TimeSpan timeout)
    {
        var all = Accounts.StopAsync();
        await Task.WhenAny(all, Task.Delay(timeout)).ConfigureAwait(false);
    }

    /// <summary>Stops registering, ends the calls, closes the stack and the sound devices.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Accounts.Dispose();
        Calls.Dispose();
        Sip.Dispose();
        Audio.Dispose();
    }
}
