using System.Net;
using Intercom.Audio;

namespace Intercom.Phone;

/// <summary>
/// What the phone applies live (<see cref="SipPhone.ApplyAsync"/>): its accounts, how they retry, who may call it, what
/// every call's media offers and the sound devices. Read from the configuration in one place (the app's composition);
/// the SIP stack's own settings (listeners, TLS, timers, rate limits) are given once at <see cref="SipPhone.Start"/>.
/// </summary>
public sealed record PhoneOptions
{
    /// <summary>The station's name: the identity of direct calls when no account exists.</summary>
    public string Name { get; init; } = "Intercom";

    /// <summary>
    /// The station's RFC 5626 §4.1 instance id ("urn:uuid:..."), the same across restarts: accounts that offer outbound
    /// send it as +sip.instance. Null: no account offers outbound.
    /// </summary>
    public string? InstanceId { get; init; }

    /// <summary>The accounts, in order: the first is the default of calls that name none.</summary>
    public IReadOnlyList<AccountOptions> Accounts { get; init; } = [];

    /// <summary>First wait before a failed registration is retried (RFC 5626 §4.5), doubling up to the maximum.</summary>
    public TimeSpan RegistrationRetryBaseDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RegistrationRetryMaximumDelay { get; init; } = TimeSpan.FromSeconds(1800);

    /// <summary>The digest challenge of callers that come from nowhere trusted; null: those get 403.</summary>
    public IncomingAuthOptions? IncomingAuth { get; init; }

    /// <summary>Networks whose calls are let in without more (besides the accounts' servers).</summary>
    public IReadOnlyList<IPNetwork> IncomingSources { get; init; } = [];

    /// <summary>What every call's media offers (each call takes its account's SRTP policy).</summary>
    public CallMediaOptions Media { get; init; } = new();

    /// <summary>The microphone and loudspeaker.</summary>
    public AudioOptions Audio { get; init; } = new();

    /// <summary>With the ALSA driver and no sound card: null devices (or the WAV files) instead of failing (--simulate).</summary>
    public bool SimulatedAudioWithoutCard { get; init; }
}
