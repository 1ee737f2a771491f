using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent.Registrar;

/// <summary>
/// One browser phone's registration (RFC 3261 §10.3, RFC 7118 §5): the Contact it registered, bound to the WebSocket
/// connection the REGISTER came over, never to the Contact's host (a made-up ".invalid" name). Immutable: a refresh makes
/// a new binding.
/// </summary>
/// <param name="Name">
/// Whose phone it is, as authenticated, never as the REGISTER's To claims: the web user whose logged-in page opened the
/// WebSocket, or the digest user name (<c>sip.incomingAuth</c>).
/// </param>
/// <param name="Contact">The Contact as registered (its parameters kept, for the 200's echo, §10.3 step 8).</param>
/// <param name="Flow">The WebSocket the binding lives on: requests to it go there only, and it dies with it.</param>
/// <param name="ExpiresAt">When the registration runs out unless refreshed.</param>
/// <param name="CallId">The Call-ID of the REGISTER that made or last refreshed it (§10.3 step 7 orders refreshes by it).</param>
/// <param name="CSeq">That REGISTER's CSeq number.</param>
public sealed record BrowserPhoneBinding(string Name, SipNameAddress Contact, SipFlow Flow, DateTimeOffset ExpiresAt, string CallId, uint CSeq)
{
    /// <summary>
    /// RFC 3261 §10.3 steps 6–7: a REGISTER from the same client (same Call-ID) whose CSeq is not higher than the one this
    /// binding was last written by is out of order (or replayed): it may neither refresh nor remove it.
    /// </summary>
    internal bool IsNewerThan(string callId, uint cseq) => string.Equals(CallId, callId, StringComparison.Ordinal) && CSeq >= cseq;

    /// <summary>True until the registration expired or its connection closed.</summary>
    public bool IsLive(DateTimeOffset now) => now < ExpiresAt && !Flow.IsClosed;

    /// <summary>True when the binding is on the same connection as <paramref name="flow"/>.</summary>
    internal bool IsOn(SipFlow flow) => Flow.Connection is { } connection && ReferenceEquals(connection, flow.Connection);
}
