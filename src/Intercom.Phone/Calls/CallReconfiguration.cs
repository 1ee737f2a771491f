using System.Net;
using System.Net.Sockets;
using Intercom.Media.Srtp;
using Intercom.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace Intercom.Phone;

/// <summary>
/// Applies changed phone options while the station runs, never touching a call in progress: "accounts" re-register
/// (<see cref="AccountRegistrations"/>) and the next call uses the new account; "media" (codecs, ports, timeouts) holds
/// from the next call on; "audio" reopens the devices once no call has media. "name" is the identity of direct calls;
/// "sip.registrationBackoff" is read by each registration client, so a change renews them; "sip.incomingAuth" checks the
/// next INVITE that opens a dialog (fresh nonces; dialogs that are up are not asked again); the incoming sources are
/// asked at the next INVITE. (Named as the configuration's sections, which the web layer reports.)
/// </summary>
internal sealed partial class CallReconfiguration
{
    /// <summary>The sections this class applies live.</summary>
    public static readonly IReadOnlyList<string> LiveSections = ["name", "sip.registrationBackoff", "sip.incomingAuth", "accounts", "media", "audio"];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SipStack _sip;
    private readonly SipCallControl _calls;
    private readonly CallAudio _audio;
    private readonly AccountRegistrations _registrations;
    private readonly SipAdmission _admission;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _log;
    private PhoneOptions _running;
    private IPAddress _mediaAddress;

    public CallReconfiguration(PhoneOptions running, IPAddress mediaAddress, SipStack sip, SipCallControl calls, CallAudio audio, AccountRegistrations registrations,
        SipAdmission admission, TimeProvider time, ILoggerFactory logs)
    {
        _admission = admission;
        _running = running;
        _mediaAddress = mediaAddress;
        _sip = sip;
        _calls = calls;
        _audio = audio;
        _registrations = registrations;
        _time = time;
        _logs = logs;
        _log = logs.CreateLogger("intercom");
    }

    /// <summary>
    /// The media factory of calls with <paramref name="media"/>, from <paramref name="address"/>, and the SRTP policy of the
    /// account each call goes through.
    /// </summary>
    public static Func<SrtpPolicy, CallMediaSession> MediaFactory(CallMediaOptions media, IPAddress address, CallAudio audio) =>
        srtp => CallMediaSession.Create(address, media with { Srtp = srtp }, audio);

    /// <summary>Applies what changed in <paramref name="options"/> (validated) and names the sections applied, in <see cref="LiveSections"/> order.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(PhoneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var running = _running;
            var name = running.Name != options.Name;
            var backoff = running.RegistrationRetryBaseDelay != options.RegistrationRetryBaseDelay
                || running.RegistrationRetryMaximumDelay != options.RegistrationRetryMaximumDelay;
            var incomingAuth = !Equals(running.IncomingAuth, options.IncomingAuth);
            var accounts = !running.Accounts.SequenceEqual(options.Accounts);
            var media = !SameMedia(running.Media, options.Media);
            var audio = !CallAudioHosting.Same(running.Audio, options.Audio);
            if (name || backoff || accounts)
            {
                await _registrations.ApplyAsync(options).ConfigureAwait(false);
            }

            if (incomingAuth)
            {
                var authentication = options.IncomingAuth?.Create(_time);
                await _sip.InvokeAsync(() => _sip.Agent.IncomingAuthentication = authentication).ConfigureAwait(false);
            }

            // The incoming sources are part of the "station" rules (applied and named by the caller); the source check
            // itself lives in the user agent. The servers of changed accounts need nothing here: they are asked each time.
            if (!running.IncomingSources.SequenceEqual(options.IncomingSources))
            {
                var admission = _admission.Create(options.IncomingSources);
                await _sip.InvokeAsync(() => _sip.Agent.Admission = admission).ConfigureAwait(false);
            }

            if (name || accounts || media)
            {
                // Built here (the media address may need DNS), swapped on the SIP loop after the registrations changed.
                var callAccounts = CallAccounts.CreateCallAccounts(options, _registrations, _log);
                try
                {
                    _mediaAddress = CallAccounts.MediaAddress(options, _sip);
                }
                catch (SocketException e)
                {
                    // The new account's host does not resolve now: the calls keep advertising the address they had.
                    LogMediaAddressKept(_log, _mediaAddress.ToString(), e.Message);
                }

                var factory = MediaFactory(options.Media, _mediaAddress, _audio);
                await _sip.InvokeAsync(() =>
                {
                    _calls.Reconfigure(callAccounts, factory);
                    return true;
                }).ConfigureAwait(false);
                LogCallsReconfigured(_log, callAccounts[0].Identity.Uri.ToString(), _calls.ActiveLegs);
            }

            if (audio)
            {
                var reopened = _audio.ReopenAsync(() => CallAudioHosting.CreateEngine(options, _time, _logs));
                if (!reopened.IsCompleted)
                {
                    LogAudioDeferred(_log);
                }
            }

            _running = options;
            bool[] changed = [name, backoff, incomingAuth, accounts, media, audio]; // in LiveSections order
            return [.. LiveSections.Where((_, i) => changed[i])];
        }
        finally
        {
            _gate.Release();
        }
    }

    // A record compares its list by reference: the codecs are compared by content.
    private static bool SameMedia(CallMediaOptions a, CallMediaOptions b) => a with { Formats = b.Formats } == b && a.Formats.SequenceEqual(b.Formats);

    [LoggerMessage(Level = LogLevel.Information, Message = "accounts/media applied: next calls as {Identity}; {Calls} call(s) in progress keep theirs")]
    private static partial void LogCallsReconfigured(ILogger logger, string identity, int calls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "media: the new account's host does not resolve ({Reason}); calls keep {Address} as their media address")]
    private static partial void LogMediaAddressKept(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "audio: the devices are reopened with the new settings when the call in progress ends")]
    private static partial void LogAudioDeferred(ILogger logger);
}
