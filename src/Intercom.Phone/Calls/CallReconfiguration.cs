using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Intercom.Configuration;
using Intercom.Media.Srtp;
using Intercom.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace Intercom.Phone;

/// <summary>
/// Applies the call side of a changed configuration while the station runs, never touching a call in progress: "accounts"
/// re-register (<see cref="AccountRegistrations"/>) and the next call uses the new account; "media" (codecs, SRTP, ports,
/// timeouts) holds from the next call on; "audio" reopens the devices once no call has media. "name" is the accounts'
/// default display name; "sip.registrationBackoff" is read by each registration client, so a change renews them;
/// "sip.incomingAuth" checks the next INVITE that opens a dialog (fresh nonces; dialogs that are up are not asked again).
/// (Section names as the web layer splits the configuration.)
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
    private readonly bool _simulate;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _log;
    private IntercomConfig _running;
    private IPAddress _mediaAddress;

    public CallReconfiguration(IntercomConfig running, IPAddress mediaAddress, SipStack sip, SipCallControl calls, CallAudio audio, AccountRegistrations registrations,
        SipAdmission admission, bool simulate, TimeProvider time, ILoggerFactory logs)
    {
        _admission = admission;
        _running = running;
        _mediaAddress = mediaAddress;
        _sip = sip;
        _calls = calls;
        _audio = audio;
        _registrations = registrations;
        _simulate = simulate;
        _time = time;
        _logs = logs;
        _log = logs.CreateLogger("intercom");
    }

    /// <summary>
    /// The media factory of calls with <paramref name="config"/>'s media options, from <paramref name="address"/>, and the
    /// SRTP policy of the account each call goes through.
    /// </summary>
    public static Func<SrtpPolicy, CallMediaSession> MediaFactory(IntercomConfig config, IPAddress address, CallAudio audio, TimeProvider time)
    {
        var options = CallAudioHosting.MediaOptions(config, time);
        return srtp => CallMediaSession.Create(address, options with { Srtp = srtp }, audio);
    }

    /// <summary>Applies what changed in <paramref name="config"/> (validated) and names the sections applied, in <see cref="LiveSections"/> order.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(IntercomConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var running = _running;
            var name = running.Name != config.Name;
            var backoff = !Same(running.Sip.RegistrationBackoff, config.Sip.RegistrationBackoff, ConfigJsonContext.Default.SipRegistrationBackoffConfig);
            var incomingAuth = !Same(running.Sip.IncomingAuth, config.Sip.IncomingAuth, ConfigJsonContext.Default.SipIncomingAuthConfig);
            var accounts = !Same(running.Accounts, config.Accounts, ConfigJsonContext.Default.ListSipAccountConfig);
            var media = !Same(running.Media, config.Media, ConfigJsonContext.Default.MediaConfig);
            var audio = !Same(running.Audio, config.Audio, ConfigJsonContext.Default.AudioConfig);
            if (name || backoff || accounts)
            {
                await _registrations.ApplyAsync(config).ConfigureAwait(false);
            }

            if (incomingAuth)
            {
                var authentication = SipIncomingAuth.FromConfig(config.Sip.IncomingAuth, _time);
                await _sip.InvokeAsync(() => _sip.Agent.IncomingAuthentication = authentication).ConfigureAwait(false);
            }

            // station.incoming.sources is part of the "station" rules (applied and named by the caller); the source check
            // itself lives in the user agent. The servers of changed accounts need nothing here: they are asked each time.
            if (!running.Station.Incoming.Sources.SequenceEqual(config.Station.Incoming.Sources, StringComparer.Ordinal))
            {
                var admission = _admission.Create(config.Station.Incoming);
                await _sip.InvokeAsync(() => _sip.Agent.Admission = admission).ConfigureAwait(false);
            }

            if (name || accounts || media)
            {
                // Built here (the media address may need DNS), swapped on the SIP loop after the registrations changed.
                var callAccounts = CallAccounts.CreateCallAccounts(config, _registrations, _log);
                try
                {
                    _mediaAddress = CallAccounts.MediaAddress(config, _sip);
                }
                catch (SocketException e)
                {
                    // The new account's host does not resolve now: the calls keep advertising the address they had.
                    LogMediaAddressKept(_log, _mediaAddress.ToString(), e.Message);
                }

                var factory = MediaFactory(config, _mediaAddress, _audio, _time);
                await _sip.InvokeAsync(() =>
                {
                    _calls.Reconfigure(callAccounts, factory);
                    return true;
                }).ConfigureAwait(false);
                LogCallsReconfigured(_log, callAccounts[0].Identity.Uri.ToString(), _calls.ActiveLegs);
            }

            if (audio)
            {
                var reopened = _audio.ReopenAsync(() => CallAudioHosting.CreateEngine(config, _simulate, _time, _logs));
                if (!reopened.IsCompleted)
                {
                    LogAudioDeferred(_log);
                }
            }

            _running = config;
            bool[] changed = [name, backoff, incomingAuth, accounts, media, audio]; // in LiveSections order
            return [.. LiveSections.Where((_, i) => changed[i])];
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool Same<T>(T a, T b, JsonTypeInfo<T> type) =>
        JsonSerializer.SerializeToUtf8Bytes(a, type).AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(b, type));

    [LoggerMessage(Level = LogLevel.Information, Message = "accounts/media applied: next calls as {Identity}; {Calls} call(s) in progress keep theirs")]
    private static partial void LogCallsReconfigured(ILogger logger, string identity, int calls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "media: the new account's host does not resolve ({Reason}); calls keep {Address} as their media address")]
    private static partial void LogMediaAddressKept(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "audio: the devices are reopened with the new settings when the call in progress ends")]
    private static partial void LogAudioDeferred(ILogger logger);
}
