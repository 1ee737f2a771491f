using System.Security.Cryptography;
using DnsClient;
using Intercom.Sip.Core;
using Intercom.Sip.Dialogs;
using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Authentication;
using Microsoft.Extensions.Logging;

namespace Intercom.Sip.UserAgent;

/// <summary>
/// The user agent core (RFC 3261 §8, §12–§15): sits on the transaction layer, routes requests that arrive to the call or
/// dialog they belong to, answers what belongs to no call (OPTIONS, unknown dialogs, unsupported methods), and places
/// outgoing calls. Everything runs on the <see cref="SipLoop"/>; public methods may be called from any thread and are
/// posted there.
/// </summary>
public sealed partial class SipUserAgent : ITransactionUser
{
    private readonly Dictionary<DialogId, SipCall> _dialogs = [];
    private readonly Dictionary<ServerTransaction, SipCall> _pendingInvites = [];
    private readonly HashSet<SipCall> _calls = [];
    private readonly SipServerLocator _locator;
    private readonly SipValidationOptions _validation;

    // SDP for sessions, and the two DTMF bodies of SIP INFO the calls decode (RFC 6086 §4.2).
    private static readonly string[] AcceptedBodies = ["application/sdp", "application/dtmf-relay", "application/dtmf"];
    private readonly ILogger _log;

    public SipUserAgent(TransactionLayer transactions, SipUserAgentOptions? options = null, SipServerLocator? locator = null, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        Transactions = transactions;
        Options = options ?? new SipUserAgentOptions();
        // Without a locator of the caller's, the system's resolver (/etc/resolv.conf); numeric targets never query it.
        _locator = locator ?? new SipServerLocator(new LookupClient());
        _validation = new SipValidationOptions
        {
            AllowedMethods = [.. Options.Allow.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            SupportedExtensions = [.. Options.Supported.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            SupportedContentTypes = AcceptedBodies,
        };
        _log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        transactions.User = this;
    }

    public TransactionLayer Transactions { get; }

    public SipLoop Loop => Transactions.Loop;

    public SipUserAgentOptions Options { get; }

    /// <summary>
    /// When set, an INVITE that opens a dialog must carry digest credentials this accepts, or it is answered 401 with a
    /// fresh challenge before anything else looks at it (RFC 3261 §22.4) — whatever its source, also a trusted one.
    /// Requests inside the dialog are bound to it by Call-ID and both tags and are not challenged again, as phones expect.
    /// </summary>
    public IncomingDigestAuthentication? IncomingAuthentication { get; set; }

    /// <summary>
    /// When set, an INVITE that opens a dialog is let in only from a source this trusts (a server the station registers
    /// at, a trusted network) or, with <see cref="IncomingAuthentication"/> on, after digest authentication; anything else
    /// is answered 403 Forbidden before its From is looked at. The call's <see cref="SipCall.Origin"/> says which. Null:
    /// no source check (<see cref="IncomingCallOrigin.Unchecked"/>).
    /// </summary>
    public IncomingAdmission? Admission { get; set; }

    /// <summary>
    /// Decides, after authentication and admission, whether an incoming INVITE may become a call: false answers 403
    /// Forbidden with no media set up.
    /// </summary>
    public Func<SipRequest, bool>? AcceptIncoming { get; set; }

    /// <summary>
    /// RFC 5626 §4.3: the instance id ("urn:uuid:...") when a destination is the flow of a registration that uses
    /// outbound, else null; asked on the loop. Our Contact in requests and responses sent there then carries ;ob (so the
    /// edge proxy and registrar send the dialog's requests back over that flow) and +sip.instance. Null: never.
    /// </summary>
    public Func<SipDestination, string?>? OutboundInstance { get; set; }

    /// <summary>A new incoming call, raised on the loop; the handler answers, rings or rejects it. Without a handler: 480.</summary>
    public event Action<SipCall>? IncomingCall;

    /// <summary>Calls not yet ended.</summary>
    public int ActiveCalls => _calls.Count;

    /// <summary>Places a call to <paramref name="target"/>; the returned call reports its progress through its events.</summary>
    public SipCall Dial(SipUri target, DialOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var call = SipCall.CreateOutgoing(this, target, options);
        Loop.Post(static s => ((SipCall)s!).Start(), call);
        return call;
    }

    /// <summary>
    /// Sends an out-of-dialog request such as OPTIONS (§11) to <paramref name="target"/>, through
    /// <paramref name="outboundProxy"/> when given, and completes with its final response (408/503 on timeout or transport
    /// failure).
    /// </summary>
    public Task<SipResponse> SendRequestAsync(string method, SipUri target, SipNameAddress from, SipUri? outboundProxy = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(from);
        var completion = new RequestCompletion();
        Loop.Post(() =>
        {
            var headers = new SipHeaders();
            var fromWithTag = from.Clone();
            fromWithTag.Parameters.Set("tag", NewTag());
            if (outboundProxy is { } proxy)
            {
                var route = proxy.Clone();
                route.Parameters.Set("lr");
                headers.Add(SipHeaderNames.Route, $"<{route}>");
            }

            headers.Add(SipHeaderNames.MaxForwards, "70");
            headers.Add(SipHeaderNames.From, fromWithTag.ToString());
            headers.Add(SipHeaderNames.To, new SipNameAddress(target.Clone()).ToString());
            headers.Add(SipHeaderNames.CallId, NewCallId());
            headers.Add(SipHeaderNames.CSeq, $"1 {method}");
            var request = new SipRequest(method, target.Clone(), headers);
            AddCommonHeaders(request, isResponse: false);
            Locate(outboundProxy ?? target, destinations =>
            {
                if (destinations.Count == 0)
                {
                    completion.Fail(503, "Service Unavailable (no destination)");
                    return;
                }

                request.Headers.Set(SipHeaderNames.Contact, CreateContact(destinations[0], target.IsSecure).ToString());
                Transactions.SendRequest(request, destinations, completion);
            });
        });
        return completion.Task;
    }

    internal ILogger Log => _log;

    /// <summary>A new Call-ID (§8.1.1.4): random, globally unique.</summary>
    internal static string NewCallId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + "@intercom";

    /// <summary>A new tag (§19.3): at least 32 bits of randomness.</summary>
    internal static string NewTag() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    internal void Track(SipCall call) => _calls.Add(call);

    internal void Forget(SipCall call)
    {
        _calls.Remove(call);
        foreach (var id in call.DialogIds)
        {
            if (_dialogs.TryGetValue(id, out var owner) && owner == call)
            {
                _dialogs.Remove(id);
            }
        }

        if (call.InviteTransaction is { } tx)
        {
            _pendingInvites.Remove(tx);
        }
    }

    internal void RegisterDialog(DialogId id, SipCall call) => _dialogs[id] = call;

    internal void UnregisterDialog(DialogId id) => _dialogs.Remove(id);

    internal void UnregisterPendingInvite(ServerTransaction tx) => _pendingInvites.Remove(tx);

    /// <summary>Our Contact for messages to or from <paramref name="destination"/>: the address the transport sends from (§8.1.1.8).</summary>
    internal SipNameAddress CreateContact(SipDestination destination, bool secure)
    {
        var via = Transactions.Transport.CreateVia(destination, "z9hG4bKcontact");
        var uri = new SipUri(secure ? "sips" : "sip", Options.ContactUser, via.Host, via.Port);
        if (destination.Protocol != SipTransportProtocol.Udp && !secure)
        {
            uri.Parameters.Set("transport", destination.Protocol.ToViaToken().ToLowerInvariant());
        }

        if (OutboundInstance?.Invoke(destination) is not { } instance)
        {
            return new SipNameAddress(uri);
        }

        uri.Parameters.Set("ob");
        var contact = new SipNameAddress(uri);
        contact.Parameters.Set("+sip.instance", "\"<" + instance + ">\"");
        return contact;
    }

    /// <summary>
    /// Finds where to send a request whose next hop is <paramref name="uri"/> (RFC 3263), and continues on the loop with the
    /// destinations (empty when nothing resolves). A numeric host needs no DNS (§4.2): the locator answers at once and
    /// the continuation runs synchronously, still on the loop.
    /// </summary>
    internal void Locate(SipUri uri, Action<IReadOnlyList<SipDestination>> then)
    {
        var lookup = _locator.LocateAsync(uri);
        if (lookup.IsCompleted)
        {
            then(lookup.IsCompletedSuccessfully ? lookup.Result : []);
            return;
        }

        lookup.ContinueWith(
            task => Loop.Post(() => then(task.IsCompletedSuccessfully ? task.Result : [])),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    internal void AddCommonHeaders(SipMessage message, bool isResponse)
    {
        message.Headers.Set(isResponse ? SipHeaderNames.Server : SipHeaderNames.UserAgent, Options.Product);
    }

    void ITransactionUser.OnRequest(ServerTransaction transaction, SipRequest request)
    {
        // §8.2.1–§8.2.3, for every request before any method or dialog looks at it (OPTIONS included: a probe must learn
        // the same 416/420/400 a call would get). The transaction layer never passes an ACK here.
        var browserRegister = IsBrowserRegister(transaction, request);
        if (SipRequestValidator.Validate(request, browserRegister ? RegisterValidation : _validation) is { IsAccepted: false } invalid)
        {
            Respond(transaction, request, invalid.StatusCode, invalid.Reason, r =>
            {
                if (invalid.StatusCode == 420)
                {
                    r.Headers.Set("Unsupported", string.Join(", ", invalid.Unsupported));
                }
                else if (invalid.StatusCode == 405)
                {
                    r.Headers.Set(SipHeaderNames.Allow, Options.Allow);
                }
                else if (invalid.StatusCode == 415)
                {
                    r.Headers.Set(SipHeaderNames.Accept, string.Join(", ", AcceptedBodies));
                }
            });
            return;
        }

        if (request.To?.Parameters.Get("tag") is { } toTag && request.Method != SipMethods.Cancel)
        {
            var id = new DialogId(request.CallId ?? "", toTag, request.From?.Parameters.Get("tag") ?? "");
            if (_dialogs.TryGetValue(id, out var call))
            {
                call.OnInDialogRequest(transaction, request);
                return;
            }

            // §12.2.2: a request for a dialog we do not know.
            Respond(transaction, request, 481, "Call/Transaction Does Not Exist");
            return;
        }

        switch (request.Method)
        {
            case SipMethods.Invite:
                OnNewInvite(transaction, request);
                break;
            case SipMethods.Cancel:
                OnCancel(transaction, request);
                break;
            case SipMethods.Options:
                Respond(transaction, request, 200, null, CapabilityHeaders);
                break;
            case SipMethods.Register when browserRegister:
                OnBrowserRegister(transaction, request, BrowserPhones!);
                break;
            case SipMethods.Bye or SipMethods.Prack or SipMethods.Update or SipMethods.Info:
                Respond(transaction, request, 481, "Call/Transaction Does Not Exist");
                break;
            default:
                // §8.2.1: a method we do not implement outside a dialog.
                Respond(transaction, request, 405, "Method Not Allowed", r => r.Headers.Set(SipHeaderNames.Allow, Options.Allow));
                break;
        }
    }

    void ITransactionUser.OnAck(SipRequest ack, SipFlow flow)
    {
        if (ack.To?.Parameters.Get("tag") is { } toTag
            && _dialogs.TryGetValue(new DialogId(ack.CallId ?? "", toTag, ack.From?.Parameters.Get("tag") ?? ""), out var call))
        {
            call.OnAck(ack);
        }
    }

    void ITransactionUser.OnStrayResponse(SipResponse response, SipFlow flow)
    {
        // A 2xx retransmitted after the INVITE transaction ended (RFC 6026 §8.4): the call re-sends its ACK.
        if (response.CSeq?.Method == SipMethods.Invite && response.StatusCode is >= 200 and < 300
            && response.From?.Parameters.Get("tag") is { } fromTag && response.To?.Parameters.Get("tag") is { } toTag
            && _dialogs.TryGetValue(new DialogId(response.CallId ?? "", fromTag, toTag), out var call))
        {
            call.OnStray2xx(response);
        }
    }

    void ITransactionUser.OnServerTransactionFailed(ServerTransaction transaction, ServerTransactionFailure failure)
    {
        if (_pendingInvites.TryGetValue(transaction, out var call))
        {
            call.OnServerTransactionFailed();
        }
    }

    private void OnNewInvite(ServerTransaction transaction, SipRequest request)
    {
        // Require (§8.2.2.3) was checked for every request in OnRequest, with the rest of §8.2.
        if (request.Contacts.Count == 0 || request.From?.Parameters.Get("tag") is null)
        {
            Respond(transaction, request, 400, "Missing Contact or From tag");
            return;
        }

        // Where it comes from, never what it claims: the source address (and transport) of the flow it arrived on. A source
        // that is not trusted must authenticate; without incoming authentication it is refused here, the same 403 whoever
        // the From names (so the allowlist cannot be enumerated), before anything looks at the From.
        var admission = Admission;
        var trusted = admission?.Classify(transaction.Flow);
        if (admission is not null && trusted is null && IncomingAuthentication is null)
        {
            LogUntrustedSource(_log, transaction.Flow.RemoteEndPoint.ToString(), transaction.Flow.Protocol.ToViaToken());
            Respond(transaction, request, 403, "Forbidden");
            return;
        }

        // The station's own page proved its user with the web session its WebSocket was opened with; a digest would add
        // nothing (the page has no SIP password to give).
        if (trusted != IncomingCallOrigin.WebPage && IncomingAuthentication is { } authentication && authentication.Verify(request, transaction.Flow.RemoteEndPoint.Address) is var verification
            && verification != DigestVerification.Accepted)
        {
            if (verification == DigestVerification.LockedOut)
            {
                // Too many wrong answers from this source: no new nonce to guess against.
                LogNotAuthenticated(_log, request.From?.Uri.ToString() ?? "?", verification);
                Respond(transaction, request, 403, "Forbidden");
                return;
            }

            // A first INVITE without credentials is the normal start of the exchange; anything else is worth a warning.
            if (verification != DigestVerification.Missing)
            {
                LogNotAuthenticated(_log, request.From?.Uri.ToString() ?? "?", verification);
            }

            Respond(transaction, request, 401, "Unauthorized", r => authentication.Challenge(r, verification));
            return;
        }

        // Authentication, when on, was asked of every source; a trusted source says more about the caller than a password
        // shared by all the station's phones, so it names the origin when there is one.
        var origin = admission is null ? IncomingCallOrigin.Unchecked : trusted ?? IncomingCallOrigin.Authenticated;
        if (AcceptIncoming is { } accept && !accept(request))
        {
            LogRefused(_log, request.From?.Uri.ToString() ?? "?");
            Respond(transaction, request, 403, "Forbidden");
            return;
        }

        var handler = IncomingCall;
        if (handler is null)
        {
            Respond(transaction, request, 480, "Temporarily Unavailable");
            return;
        }

        var call = SipCall.CreateIncoming(this, transaction, request, origin);
        _pendingInvites[transaction] = call;
        handler(call);
    }

    private void OnCancel(ServerTransaction transaction, SipRequest request)
    {
        // §9.2: 200 for the CANCEL itself, then 487 for the INVITE it cancels.
        if (transaction.CancelTarget is { } invite && _pendingInvites.TryGetValue(invite, out var call))
        {
            Respond(transaction, request, 200, null);
            call.OnCancelled();
            return;
        }

        Respond(transaction, request, 481, "Call/Transaction Does Not Exist");
    }

    private void CapabilityHeaders(SipResponse response)
    {
        // §11.2: what we can do, so a PBX's or phone's OPTIONS probe learns it.
        response.Headers.Set(SipHeaderNames.Allow, Options.Allow);
        response.Headers.Set(SipHeaderNames.Accept, "application/sdp");
        response.Headers.Set(SipHeaderNames.Supported, Options.Supported);
    }

    internal void Respond(ServerTransaction transaction, SipRequest request, int status, string? reason, Action<SipResponse>? decorate = null, string? toTag = null)
    {
        var response = SipResponseFactory.Create(request, status, reason, toTag ?? (status > 100 && request.To?.Parameters.Get("tag") is null ? NewTag() : null));
        AddCommonHeaders(response, isResponse: true);
        decorate?.Invoke(response);
        transaction.Respond(response);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "incoming call from {Caller} not authenticated ({Verification})")]
    private static partial void LogNotAuthenticated(ILogger logger, string caller, DigestVerification verification);

    [LoggerMessage(Level = LogLevel.Warning, Message = "incoming call refused (403): {Source} over {Transport} is not a trusted source (a registrar, station.incoming.sources) and incoming authentication is off")]
    private static partial void LogUntrustedSource(ILogger logger, string source, string transport);

    [LoggerMessage(Level = LogLevel.Warning, Message = "incoming call from {Caller} refused: not accepted")]
    private static partial void LogRefused(ILogger logger, string caller);
}
