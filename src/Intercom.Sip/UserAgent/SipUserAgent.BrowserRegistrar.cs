using System.Globalization;
using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registrar;
using Microsoft.Extensions.Logging;

namespace Intercom.Sip.UserAgent;

/// <summary>
/// The registrar of browser phones (RFC 3261 §10.3 over RFC 7118 §5): a REGISTER that comes over a WebSocket binds its
/// Contact to that WebSocket, so the station can ring the phone. The station is no registrar for anything else: a REGISTER
/// over UDP, TCP or TLS is still 405.
/// </summary>
public sealed partial class SipUserAgent
{
    // §10.2.1.1: a REGISTER that names no expiry asks for the registrar's default.
    private static readonly TimeSpan DefaultRegistration = TimeSpan.FromHours(1);

    private SipValidationOptions? _registerValidation;

    /// <summary>
    /// When set, a REGISTER over a WebSocket is taken as a browser phone's (RFC 7118 §5) and bound here. Who may register
    /// (§10.3 step 3): the connection's <see cref="SipFlow.WebUser"/> (the station's own page, opened with a logged-in
    /// session), else the <see cref="IncomingAuthentication"/> digest user; without either, 403. Null: every REGISTER is
    /// 405, as over the other transports.
    /// </summary>
    public BrowserPhoneLocations? BrowserPhones { get; set; }

    private bool IsBrowserRegister(ServerTransaction transaction, SipRequest request) =>
        request.Method == SipMethods.Register && BrowserPhones is not null && transaction.Flow.Protocol.IsWebSocket();

    /// <summary>§8.2's checks for a REGISTER the registrar takes: the user agent's, with REGISTER among the methods.</summary>
    private SipValidationOptions RegisterValidation => _registerValidation ??= new SipValidationOptions
    {
        AllowedMethods = [.. _validation.AllowedMethods, SipMethods.Register],
        SupportedExtensions = _validation.SupportedExtensions,
        SupportedContentTypes = _validation.SupportedContentTypes,
    };

    private void OnBrowserRegister(ServerTransaction transaction, SipRequest request, BrowserPhoneLocations locations)
    {
        var flow = transaction.Flow;
        string name;
        if (flow.WebUser is { } webUser)
        {
            // The station's page opened this WebSocket with a session of a user who may operate the door, from the
            // station's own origin (checked by the web server at the handshake): that proves who it is; no digest.
            name = webUser;
        }
        else if (IncomingAuthentication is { } authentication)
        {
            var verification = authentication.Verify(request, flow.RemoteEndPoint.Address);
            if (verification == DigestVerification.LockedOut)
            {
                LogRegisterRefused(_log, flow.RemoteEndPoint.ToString(), "too many wrong answers from this source");
                Respond(transaction, request, 403, "Forbidden");
                return;
            }

            if (verification != DigestVerification.Accepted)
            {
                if (verification != DigestVerification.Missing)
                {
                    LogRegisterRefused(_log, flow.RemoteEndPoint.ToString(), verification.ToString());
                }

                Respond(transaction, request, 401, "Unauthorized", r => authentication.Challenge(r, verification));
                return;
            }

            name = authentication.Username;
        }
        else
        {
            // Nothing could prove who it is: no session on the WebSocket and incoming authentication off.
            LogRegisterRefused(_log, flow.RemoteEndPoint.ToString(), "no session on the WebSocket and sip.incomingAuth is off");
            Respond(transaction, request, 403, "Forbidden");
            return;
        }

        // §10.3 steps 6–7: a REGISTER of the same Call-ID must come with a higher CSeq than the one that wrote a binding, or
        // it changes nothing and fails. Over a WebSocket (one ordered stream) that is a client's bug or a replay.
        var callId = request.CallId ?? "";
        var cseq = request.CSeq?.Number ?? 0;
        if (request.IsContactWildcard ? locations.IsOutOfOrder(null, flow, callId, cseq)
            : request.Contacts.Any(c => locations.IsOutOfOrder(c.Uri, flow, callId, cseq)))
        {
            LogRegisterRefused(_log, flow.RemoteEndPoint.ToString(), $"CSeq {cseq} is not above the one of the binding it would change (out of order)");
            Respond(transaction, request, 500, "Out of Order REGISTER");
            return;
        }

        if (request.IsContactWildcard)
        {
            // §10.3 step 6: "*" only with Expires: 0, and removes every binding (here: of this connection).
            if (request.Expires != 0)
            {
                Respond(transaction, request, 400, "Contact * needs Expires: 0");
                return;
            }

            locations.UnbindAll(flow);
            Respond(transaction, request, 200, null);
            return;
        }

        var contacts = request.Contacts;
        if (contacts.Count > BrowserPhoneLocations.MaxPerConnection)
        {
            Respond(transaction, request, 403, "Too many Contacts");
            return;
        }

        foreach (var contact in contacts)
        {
            var seconds = contact.Expires ?? request.Expires;
            var expires = seconds is { } s ? TimeSpan.FromSeconds(s) : DefaultRegistration;
            if (expires == TimeSpan.Zero)
            {
                locations.Unbind(contact.Uri, flow);
                LogUnregistered(_log, name, flow.RemoteEndPoint.ToString());
            }
            else if (!locations.Bind(name, contact, flow, expires, callId, cseq))
            {
                // Every resource an outsider can make us hold is bounded.
                LogRegisterRefused(_log, flow.RemoteEndPoint.ToString(), "the browser phone table is full");
                Respond(transaction, request, 503, "Too Many Registrations", r => r.Headers.Set("Retry-After", "60"));
                return;
            }
            else
            {
                LogRegistered(_log, name, flow.RemoteEndPoint.ToString(), (int)Math.Min(expires.TotalSeconds, BrowserPhoneLocations.MaxExpires.TotalSeconds));
            }
        }

        // §10.3 step 8: the 200 lists the current bindings (of this connection), each with the time it has left.
        var now = Loop.TimeProvider.GetUtcNow();
        var current = locations.On(flow);
        Respond(transaction, request, 200, null, r =>
        {
            foreach (var binding in current)
            {
                var echo = binding.Contact.Clone();
                var left = Math.Max(1, (int)Math.Ceiling((binding.ExpiresAt - now).TotalSeconds));
                echo.Parameters.Set("expires", left.ToString(CultureInfo.InvariantCulture));
                r.Headers.Add(SipHeaderNames.Contact, echo.ToString());
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "browser phone of '{Name}' registered over the WebSocket from {Source} for {Seconds} s")]
    private static partial void LogRegistered(ILogger logger, string name, string source, int seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "browser phone of '{Name}' unregistered from {Source}")]
    private static partial void LogUnregistered(ILogger logger, string name, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "REGISTER over the WebSocket from {Source} refused: {Reason}")]
    private static partial void LogRegisterRefused(ILogger logger, string source, string reason);
}
