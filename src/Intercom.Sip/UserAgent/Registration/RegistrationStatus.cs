using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent.Registration;

/// <summary>An immutable snapshot of a registration, safe to read from any thread (web page, event log).</summary>
/// <param name="State">The state.</param>
/// <param name="Reason">Why, in words: "200 OK", "408 no answer from UDP:192.0.2.7:5060", "403 Forbidden after credentials", ...</param>
/// <param name="ExpiresAt">When the binding runs out, while one is held; null otherwise.</param>
/// <param name="StatusCode">The status code of the last final response, or null (none yet, timeout, transport error).</param>
/// <param name="Contact">The Contact URI registered (or being registered).</param>
/// <param name="Registrar">The destination the last REGISTER went to.</param>
/// <param name="NextAttemptAt">When the next REGISTER (refresh or retry) is due, or null.</param>
/// <param name="Outbound">
/// True while registered with SIP outbound in use (RFC 5626 §4.2.1: the registrar's 2xx said Require: outbound): calls
/// reach the station over the flow it registered on, whatever NAT sits in between.
/// </param>
public sealed record RegistrationStatus(
    RegistrationState State,
    string Reason,
    DateTimeOffset? ExpiresAt = null,
    int? StatusCode = null,
    SipUri? Contact = null,
    SipDestination? Registrar = null,
    DateTimeOffset? NextAttemptAt = null,
    bool Outbound = false);
