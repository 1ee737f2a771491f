using System.Globalization;
using System.Net;
using System.Text;
using Intercom.Sip.Core;
using Intercom.Sip.Dialogs;
using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent;

/// <summary>
/// One INVITE session (RFC 3261 §13–§15), as caller or callee: early dialogs, forked answers, CANCEL, BYE, re-INVITE and
/// UPDATE (RFC 3311) in both directions, reliable provisionals (RFC 3262) and session timers (RFC 4028). Lives on the SIP
/// loop; the public methods post there, the events are raised there.
/// </summary>
public sealed class SipCall : IClientTransactionUser
{
    private const string SdpType = "application/sdp";
    private const int MaxAuthAttempts = 3;
    private readonly SipUserAgent _ua;
    private readonly Dictionary<string, Dialog> _earlyDialogs = new(StringComparer.Ordinal);
    private readonly HashSet<DialogId> _dialogIds = [];
    private readonly IOfferAnswer? _media;
    private readonly DialOptions? _dial;
    private SipRequest? _invite;
    private ClientTransaction? _inviteTx;
    private ServerTransaction? _serverInvite;
    private SipRequest? _lastAck;
    private SipDestination? _nextHop;
    private Dialog? _dialog;
    private SipResponse? _answer;
    private SipTimer? _retransmit2xx;
    private SipResponse? _pending2xx;
    private ServerTransaction? _pending2xxTransaction;
    private IOfferAnswer? _answerMedia;
    private SipTimer? _sessionTimer;
    private TimeSpan _retransmitInterval;
    private TimeSpan _retransmitElapsed;
    private int _authAttempts;
    private bool _hangupRequested;
    private bool _localHold;
    private bool _reinviteInProgress;
    private bool _reofferAfterGlare;
    private bool _isRefresher;
    private int _sessionExpires;
    private uint _lastRSeq;

    private SipCall(SipUserAgent ua, bool incoming, SipUri remote, IOfferAnswer? media, DialOptions? dial)
    {
        _ua = ua;
        IsIncoming = incoming;
        RemoteUri = remote;
        _media = media;
        _dial = dial;
        LocalContact = dial?.Contact;
        State = incoming ? CallState.Incoming : CallState.Calling;
    }

    /// <summary>
    /// Our Contact for this call when the transport's own address is not where the peer reaches us: the account's
    /// registered Contact, holding behind a NAT the public address learned from the registrar's received/rport (RFC 3581
    /// §4). Used only where it differs from the transport's address. Set it before <see cref="Answer"/>; null: none.
    /// </summary>
    public SipUri? LocalContact { get; set; }

    public bool IsIncoming { get; }

    public CallState State { get; private set; }

    /// <summary>The far end: the dialled URI, or the caller's From URI.</summary>
    public SipUri RemoteUri { get; }

    /// <summary>The caller's display name, for incoming calls.</summary>
    public string? RemoteDisplayName { get; private set; }

    /// <summary>For incoming calls: how the caller was let in, by the INVITE's source (<see cref="SipUserAgent.Admission"/>).</summary>
    public IncomingCallOrigin Origin { get; private init; }

    /// <summary>The incoming INVITE (null for outgoing calls).</summary>
    public SipRequest? IncomingRequest => _serverInvite?.Request;

    /// <summary>
    /// For an incoming call: the address and port the INVITE really came from (the transport's source, RFC 3261 §18.2.1),
    /// not anything the message says about itself; null for outgoing calls.
    /// </summary>
    public IPEndPoint? IncomingSource => _serverInvite?.Flow.RemoteEndPoint;

    /// <summary>The transport the incoming INVITE came over (null for outgoing calls): an answer goes back over it.</summary>
    public SipTransportProtocol? IncomingTransport => _serverInvite?.Flow.Protocol;

    /// <summary>
    /// The web user whose logged-in page opened the WebSocket this call runs over (<see cref="SipFlow.WebUser"/>): the
    /// station's own page as a phone, calling or rung. Null for any other call, a digest-authenticated WebSocket too.
    /// </summary>
    public string? WebUser => (_serverInvite?.Flow ?? _dial?.Flow)?.WebUser;

    public CallEndReason? EndReason { get; private set; }

    /// <summary>The final status that ended the call, when a response did (e.g. 486 Busy Here).</summary>
    public int? EndStatus { get; private set; }

    /// <summary>
    /// For an outgoing call that ended with a 3xx: the Contacts the redirect named, best first (RFC 3261 §8.1.3.4); the
    /// call layer decides whether to follow any. Empty otherwise.
    /// </summary>
    public IReadOnlyList<SipUri> RedirectTargets { get; private set; } = [];

    /// <summary>True while the peer has us on hold.</summary>
    public bool IsHeldByPeer { get; private set; }

    public string? CallId => _invite?.CallId ?? _serverInvite?.Request.CallId;

    /// <summary>1xx from the far end; the flag says whether it carried early media (an SDP answer).</summary>
    public event Action<SipCall, bool>? Ringing;

    /// <summary>The call is established (2xx and ACK).</summary>
    public event Action<SipCall>? Answered;

    /// <summary>The peer put us on hold (true) or resumed (false) by re-INVITE or UPDATE.</summary>
    public event Action<SipCall, bool>? HoldChanged;

    /// <summary>INFO received in the dialog (RFC 6086): content type and body, e.g. application/dtmf-relay for DTMF.</summary>
    public event Action<SipCall, string, ReadOnlyMemory<byte>>? InfoReceived;

    /// <summary>The call ended; <see cref="EndReason"/> and <see cref="EndStatus"/> say why.</summary>
    public event Action<SipCall>? Ended;

    internal IEnumerable<DialogId> DialogIds => _dialogIds;

    internal ServerTransaction? InviteTransaction => _serverInvite;

    private SipLoop Loop => _ua.Loop;

    private SipTimerSettings Timers => _ua.Transactions.Timers;

    internal static SipCall CreateOutgoing(SipUserAgent ua, SipUri target, DialOptions options) => new(ua, false, target, options.Media, options);

    internal static SipCall CreateIncoming(SipUserAgent ua, ServerTransaction tx, SipRequest invite, IncomingCallOrigin origin)
    {
        var call = new SipCall(ua, true, invite.From!.Uri.Clone(), null, null)
        {
            _serverInvite = tx,
            RemoteDisplayName = invite.From.DisplayName,
            Origin = origin,
        };
        ua.Track(call);
        return call;
    }

    // ---------------------------------------------------------------- public API (any thread)

    /// <summary>Sends 180 Ringing for an incoming call (skipped when the caller requires 100rel: we answer directly instead).</summary>
    public void Ring() => Loop.Post(static s => ((SipCall)s!).RingOnLoop(), this);

    /// <summary>Answers an incoming call with 200 OK and our session description.</summary>
    public void Answer(IOfferAnswer media)
    {
        ArgumentNullException.ThrowIfNull(media);
        Loop.Post(() => AnswerOnLoop(media));
    }

    /// <summary>Refuses an incoming call with a final status (486 Busy Here, 603 Decline, ...).</summary>
    public void Reject(int status, string? reason = null) => Loop.Post(() => RejectOnLoop(status, reason));

    /// <summary>Ends the call whatever its state: CANCEL before an answer, BYE after, a rejection for an unanswered incoming call.</summary>
    public void Hangup() => Loop.Post(static s => ((SipCall)s!).HangupOnLoop(), this);

    /// <summary>Puts the peer on hold (true) or resumes (false) with a re-INVITE (RFC 3264 §8.4).</summary>
    public void Hold(bool hold) => Loop.Post(() =>
    {
        _localHold = hold;
        SendReinvite();
    });

    /// <summary>
    /// Sends an INFO in the dialog (e.g. DTMF as application/dtmf-relay for peers that want it) and completes with its
    /// final response. Send the next one after this completes: §12.2.2 lets the peer refuse a lower CSeq that overtook.
    /// </summary>
    public Task<SipResponse> SendInfo(string contentType, ReadOnlyMemory<byte> body)
    {
        var completion = new RequestCompletion();
        Loop.Post(() =>
        {
            if (_dialog is not { State: DialogState.Confirmed } dialog)
            {
                completion.Fail(481, "No confirmed dialog");
                return;
            }

            var info = dialog.CreateRequest(SipMethods.Info, Contact(dialog));
            info.Headers.Set(SipHeaderNames.ContentType, contentType);
            info.Body = body;
            SendInDialog(info, completion);
        });
        return completion.Task;
    }

    // ---------------------------------------------------------------- outgoing (UAC)

    internal void Start()
    {
        _ua.Track(this);
        var options = _dial!;
        var headers = new SipHeaders();
        var from = options.From.Clone();
        from.Parameters.Set("tag", SipUserAgent.NewTag());
        var nextHopUri = options.OutboundProxy ?? RemoteUri;
        if (options.OutboundProxy is { } proxy)
        {
            var route = proxy.Clone();
            route.Parameters.Set("lr");
            headers.Add(SipHeaderNames.Route, $"<{route}>");
        }

        headers.Add(SipHeaderNames.MaxForwards, "70");
        headers.Add(SipHeaderNames.From, from.ToString());
        headers.Add(SipHeaderNames.To, new SipNameAddress(RemoteUri.Clone()).ToString());
        headers.Add(SipHeaderNames.CallId, SipUserAgent.NewCallId());
        headers.Add(SipHeaderNames.CSeq, "1 INVITE");
        headers.Add(SipHeaderNames.Allow, _ua.Options.Allow);
        headers.Add(SipHeaderNames.Supported, _ua.Options.Supported);
        if (_ua.Options.SessionExpiresSeconds > 0)
        {
            headers.Add(SipHeaderNames.SessionExpires, _ua.Options.SessionExpiresSeconds.ToString(CultureInfo.InvariantCulture));
            headers.Add(SipHeaderNames.MinSE, _ua.Options.MinSessionExpiresSeconds.ToString(CultureInfo.InvariantCulture));
        }

        _invite = new SipRequest(SipMethods.Invite, RemoteUri.Clone(), headers);
        _ua.AddCommonHeaders(_invite, isResponse: false);
        SetBody(_invite, _media!.CreateOffer(hold: false));
        if (options.Flow is { } flow)
        {
            // RFC 7118 §5: a browser phone is reached over its own WebSocket only; gone, the call fails at once.
            if (flow.IsClosed)
            {
                End(CallEndReason.TransportError, 503);
                return;
            }

            _nextHop = flow.Destination;
            _invite.Headers.Set(SipHeaderNames.Contact, ContactTowards(flow.Destination, RemoteUri.IsSecure).ToString());
            _inviteTx = _ua.Transactions.SendRequest(_invite, [flow.Destination], this);
            return;
        }

        var required = CallTransportBinding.Required(options.Transport, _invite.Body.Span);
        _ua.Locate(CallTransportBinding.LocateUri(nextHopUri, required), located =>
        {
            // Only the account's transport (TLS whenever the offer carries SDES keys): no fall-back to a weaker one.
            var destinations = CallTransportBinding.Allowed(located, required);
            if (destinations.Count == 0)
            {
                if (required is { } protocol)
                {
                    CallTransportBinding.LogNoBoundDestination(_ua.Log, RemoteUri.ToString(), protocol.ToViaToken(), nextHopUri.ToString());
                }

                End(CallEndReason.TransportError, 503);
                return;
            }

            _nextHop = destinations[0];
            _invite.Headers.Set(SipHeaderNames.Contact, ContactTowards(destinations[0], RemoteUri.IsSecure).ToString());
            if (_hangupRequested)
            {
                End(CallEndReason.Cancelled, null);
                return;
            }

            _inviteTx = _ua.Transactions.SendRequest(_invite, destinations, this);
        });
    }

    void IClientTransactionUser.OnProvisional(ClientTransaction transaction, SipResponse response)
    {
        if (State is CallState.Ended || response.StatusCode == 100)
        {
            return;
        }

        if (response.To?.Parameters.Get("tag") is { } tag && !_earlyDialogs.ContainsKey(tag)
            && Dialog.TryCreateAsClient(_invite!, response, out var early))
        {
            _earlyDialogs[tag] = early!;
            Track(early!);
        }

        var earlyMedia = false;
        if (IsSdp(response) && _answer is null)
        {
            earlyMedia = _media!.ApplyAnswer(BodyText(response)).Success;
        }

        if (response.Headers.GetAll(SipHeaderNames.Require).Contains("100rel", StringComparer.OrdinalIgnoreCase))
        {
            SendPrack(response);
        }

        if (State == CallState.Calling)
        {
            State = CallState.Ringing;
        }

        if (State == CallState.Ringing)
        {
            Ringing?.Invoke(this, earlyMedia);
        }
    }

    void IClientTransactionUser.OnFinal(ClientTransaction transaction, SipResponse response)
    {
        _inviteTx = transaction;
        var status = response.StatusCode;
        if (status is >= 200 and < 300)
        {
            OnInvite2xx(response);
            return;
        }

        if (status is 401 or 407 && _authAttempts < MaxAuthAttempts && State != CallState.Ended && !_hangupRequested && _dial!.Authorize is { } authorize)
        {
            // §22.2: re-send with credentials in a new transaction; same Call-ID and From tag, CSeq + 1. The authorizer
            // refuses a challenge to credentials it just sent (wrong password); a stale nonce is answered again.
            _authAttempts++;
            var retry = CloneForRetry(_invite!);
            if (authorize(retry, response, transaction.Destination))
            {
                _invite = retry;
                _inviteTx = _ua.Transactions.SendRequest(retry, [_nextHop!.Value], this);
                return;
            }
        }

        if (status == 422 && response.Headers.Get(SipHeaderNames.MinSE) is { } minSe && !_hangupRequested && State != CallState.Ended)
        {
            // RFC 4028 §6: retry once with the interval the peer asked for.
            var retry = CloneForRetry(_invite!);
            retry.Headers.Set(SipHeaderNames.SessionExpires, minSe.Split(';')[0].Trim());
            retry.Headers.Set(SipHeaderNames.MinSE, minSe.Split(';')[0].Trim());
            _invite = retry;
            _inviteTx = _ua.Transactions.SendRequest(retry, [_nextHop!.Value], this);
            return;
        }

        if (State == CallState.Ended)
        {
            return;
        }

        if (status is >= 300 and < 400)
        {
            RedirectTargets = SipRedirect.Targets(response);
        }

        End(_hangupRequested && status == 487 ? CallEndReason.Cancelled : CallEndReason.Rejected, status);
    }

    void IClientTransactionUser.OnTimeout(ClientTransaction transaction)
    {
        if (State != CallState.Ended && State != CallState.Established)
        {
            End(CallEndReason.Timeout, 408);
        }
    }

    void IClientTransactionUser.OnTransportError(ClientTransaction transaction, SipTransportError error)
    {
        if (State != CallState.Ended && State != CallState.Established)
        {
            End(CallEndReason.TransportError, 503);
        }
    }

    private void OnInvite2xx(SipResponse response)
    {
        var tag = response.To?.Parameters.Get("tag");
        if (tag is null || _invite is null)
        {
            return;
        }

        if (_dialog is { } confirmed)
        {
            if (confirmed.Id.RemoteTag == tag)
            {
                // A retransmitted 2xx: our ACK was lost (§13.2.2.4).
                ResendAck();
                return;
            }

            // RFC 3261 §13.2.2.4: another fork answered too: acknowledge it, then end it with BYE.
            if (Dialog.TryCreateAsClient(_invite, response, out var extra))
            {
                var ack = extra!.CreateAck(_invite.CSeq!.Value.Number, Contact(extra));
                SendAck(ack, extra);
                var bye = extra.CreateRequest(SipMethods.Bye, Contact(extra));
                SendInDialog(bye, new InDialogRequestUser(this));
            }

            return;
        }

        if (!_earlyDialogs.TryGetValue(tag, out var dialog))
        {
            if (!Dialog.TryCreateAsClient(_invite, response, out dialog))
            {
                return;
            }

            Track(dialog!);
        }

        _dialog = dialog!;
        _dialog.Confirm();
        _dialog.RefreshTarget(response);
        _lastAck = _dialog.CreateAck(_invite.CSeq!.Value.Number, Contact(_dialog));
        if (_invite.Headers.Get(SipHeaderNames.Authorization) is { } authorization)
        {
            _lastAck.Headers.Set(SipHeaderNames.Authorization, authorization);
        }

        if (_invite.Headers.Get(SipHeaderNames.ProxyAuthorization) is { } proxyAuthorization)
        {
            _lastAck.Headers.Set(SipHeaderNames.ProxyAuthorization, proxyAuthorization);
        }

        SendAck(_lastAck, _dialog);
        if (_hangupRequested)
        {
            // The 200/CANCEL race (§9.1): the answer won, so end the call with BYE.
            SendBye();
            return;
        }

        if (IsSdp(response))
        {
            var outcome = _media!.ApplyAnswer(BodyText(response));
            if (!outcome.Success)
            {
                // §13.2.1: an unacceptable answer: the call cannot go on.
                SendBye();
                End(CallEndReason.Failed, 488);
                return;
            }
        }

        _answer = response;
        foreach (var early in _earlyDialogs.Values)
        {
            if (early != _dialog)
            {
                Untrack(early);
            }
        }

        _earlyDialogs.Clear();
        State = CallState.Established;
        StartSessionTimer(response, weAreUac: true);
        Answered?.Invoke(this);
    }

    private void SendPrack(SipResponse response)
    {
        // RFC 3262 §7.2: acknowledge a reliable provisional with PRACK carrying RAck: RSeq CSeq-number method.
        if (response.Headers.Get(SipHeaderNames.RSeq) is not { } rseqText
            || !uint.TryParse(rseqText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var rseq)
            || rseq <= _lastRSeq || response.To?.Parameters.Get("tag") is not { } tag || !_earlyDialogs.TryGetValue(tag, out var dialog))
        {
            return;
        }

        _lastRSeq = rseq;
        dialog.RefreshTarget(response);
        var prack = dialog.CreateRequest(SipMethods.Prack, Contact(dialog));
        prack.Headers.Set(SipHeaderNames.RAck, string.Create(CultureInfo.InvariantCulture, $"{rseq} {_invite!.CSeq!.Value.Number} INVITE"));
        SendInDialog(prack, new InDialogRequestUser(this), dialog);
    }

    private void SendAck(SipRequest ack, Dialog dialog)
    {
        LocateInDialog(dialog, destination => _ua.Transactions.SendAck(ack, destination));
    }

    private void ResendAck()
    {
        if (_lastAck is { } ack && _dialog is { } dialog)
        {
            // §13.2.2.4: the same ACK again, for every retransmission of the 2xx.
            SendAck(ack, dialog);
        }
    }

    internal void OnStray2xx(SipResponse response) => ResendAck();

    // ---------------------------------------------------------------- incoming (UAS)

    private void RingOnLoop()
    {
        if (State != CallState.Incoming || _serverInvite is not { } tx)
        {
            return;
        }

        if (tx.Request.Headers.GetAll(SipHeaderNames.Require).Contains("100rel", StringComparer.OrdinalIgnoreCase))
        {
            // A reliable 180 would need PRACK handling of ours; the station answers at once anyway.
            return;
        }

        EnsureServerDialog(tx.Request);
        var ringing = ServerResponse(180, null);
        tx.Respond(ringing);
    }

    private void AnswerOnLoop(IOfferAnswer media)
    {
        if (State != CallState.Incoming || _serverInvite is not { } tx)
        {
            return;
        }

        var request = tx.Request;
        string body;
        if (IsSdp(request))
        {
            var outcome = media.AnswerOffer(BodyText(request));
            if (!outcome.Success)
            {
                RejectOnLoop(488, "Not Acceptable Here");
                return;
            }

            body = outcome.Answer!;
            IsHeldByPeer = outcome.PeerHolds;
        }
        else
        {
            // §13.2.1: no offer in the INVITE: we offer in the 2xx and the answer comes in the ACK.
            body = media.CreateOffer(hold: false);
        }

        _answerMedia = media;
        EnsureServerDialog(request);
        var ok = ServerResponse(200, null);
        ok.Headers.Set(SipHeaderNames.Allow, _ua.Options.Allow);
        ok.Headers.Set(SipHeaderNames.Supported, _ua.Options.Supported);
        AddSessionTimerToAnswer(request, ok);
        SetBody(ok, body);
        _answer = ok;
        State = CallState.Answering;
        // §12.1.1: sending the 2xx confirms the UAS's dialog.
        _dialog?.Confirm();
        tx.Respond(ok);
        _ua.UnregisterPendingInvite(tx);
        Start2xxRetransmission(ok);
    }

    private IOfferAnswer? Media => _media ?? _answerMedia;

    private void RejectOnLoop(int status, string? reason)
    {
        if (State != CallState.Incoming || _serverInvite is not { } tx)
        {
            return;
        }

        _ua.Respond(tx, tx.Request, status, reason, toTag: _dialog?.Id.LocalTag);
        End(CallEndReason.LocalRejected, status);
    }

    internal void OnCancelled()
    {
        if (State != CallState.Incoming || _serverInvite is not { } tx)
        {
            return;
        }

        _ua.Respond(tx, tx.Request, 487, "Request Terminated", toTag: _dialog?.Id.LocalTag);
        End(CallEndReason.RemoteCancelled, 487);
    }

    internal void OnServerTransactionFailed()
    {
        if (State is CallState.Incoming)
        {
            End(CallEndReason.TransportError, null);
        }
    }

    internal void OnAck(SipRequest ack)
    {
        if (_retransmit2xx is { } timer)
        {
            timer.Cancel();
        }

        _reinviteInProgress = false;
        if (State == CallState.Answering)
        {
            if (IsSdp(ack) && Media is { } media)
            {
                media.ApplyAnswer(BodyText(ack));
            }

            State = CallState.Established;
            StartSessionTimer(_answer!, weAreUac: false);
            Answered?.Invoke(this);
        }
    }

    private void EnsureServerDialog(SipRequest request)
    {
        if (_dialog is null && Dialog.TryCreateAsServer(request, SipUserAgent.NewTag(), out var dialog))
        {
            _dialog = dialog!;
            Track(_dialog);
        }
    }

    private SipResponse ServerResponse(int status, string? reason)
    {
        var request = _serverInvite!.Request;
        var response = SipResponseFactory.Create(request, status, reason, _dialog?.Id.LocalTag);
        _ua.AddCommonHeaders(response, isResponse: true);
        if (status > 100)
        {
            response.Headers.Set(SipHeaderNames.Contact, Contact(_dialog!, _serverInvite.Flow.Destination).ToString());
        }

        if (status is > 100 and < 300)
        {
            // §12.1.1: a response that establishes the dialog copies every Record-Route of the INVITE, in order, as it
            // came. It is the caller's route set: without it the ACK and the BYE go straight to our Contact, which a NAT
            // in front of the station lets in only from the proxy, so the call was never confirmed (issue #19).
            foreach (string recordRoute in request.Headers.GetLines(SipHeaderNames.RecordRoute))
            {
                response.Headers.Add(SipHeaderNames.RecordRoute, recordRoute);
            }
        }

        return response;
    }

    /// <summary>§13.3.1.4: the UAS re-sends its 2xx from T1 doubling to T2 until the ACK; no ACK within 64*T1 ends the call.</summary>
    private void Start2xxRetransmission(SipResponse ok)
    {
        _retransmitInterval = Timers.T1;
        _retransmitElapsed = TimeSpan.Zero;
        _retransmit2xx ??= Loop.CreateTimer(static s => ((SipCall)s!).On2xxTimer(), this);
        _retransmit2xx.Start(_retransmitInterval);
        _pending2xx = ok;
    }

    private void On2xxTimer()
    {
        _retransmitElapsed += _retransmitInterval;
        if (_retransmitElapsed >= Timers.TransactionTimeout)
        {
            // No ACK: confirm and immediately end the session (§13.3.1.4).
            _reinviteInProgress = false;
            if (_dialog is not null)
            {
                _dialog.Confirm();
                SendBye();
            }

            End(CallEndReason.Timeout, null);
            return;
        }

        var tx = _pending2xxTransaction ?? _serverInvite;
        if (tx is not null && _pending2xx is not null && !tx.Flow.Protocol.IsReliable())
        {
            tx.Respond(_pending2xx);
        }

        // The last wait is cut short so the call ends exactly at 64*T1.
        _retransmitInterval = TimeSpan.FromTicks(Math.Min(Math.Min(_retransmitInterval.Ticks * 2, Timers.T2.Ticks), (Timers.TransactionTimeout - _retransmitElapsed).Ticks));
        _retransmit2xx!.Start(_retransmitInterval);
    }

    // ---------------------------------------------------------------- in-dialog requests from the peer

    internal void OnInDialogRequest(ServerTransaction tx, SipRequest request)
    {
        var dialog = FindDialog(request);
        if (dialog is null)
        {
            _ua.Respond(tx, request, 481, "Call/Transaction Does Not Exist");
            return;
        }

        if (!dialog.TryAcceptRemoteSequence(request))
        {
            // §12.2.2: a CSeq lower than the last one is out of order.
            _ua.Respond(tx, request, 500, "Out of Order", r => r.Headers.Set(SipHeaderNames.RetryAfter, "1"));
            return;
        }

        switch (request.Method)
        {
            case SipMethods.Bye:
                _ua.Respond(tx, request, 200, null);
                _retransmit2xx?.Cancel();
                End(State == CallState.Ended ? EndReason ?? CallEndReason.RemoteHangup : CallEndReason.RemoteHangup, null);
                break;
            case SipMethods.Invite:
                OnReinvite(tx, request, dialog);
                break;
            case SipMethods.Update:
                OnUpdate(tx, request, dialog);
                break;
            case SipMethods.Info:
                _ua.Respond(tx, request, 200, null);
                InfoReceived?.Invoke(this, request.ContentType ?? "", request.Body);
                break;
            case SipMethods.Options:
                _ua.Respond(tx, request, 200, null, r =>
                {
                    r.Headers.Set(SipHeaderNames.Allow, _ua.Options.Allow);
                    r.Headers.Set(SipHeaderNames.Accept, SdpType);
                });
                break;
            case SipMethods.Prack:
                // We never send reliable provisionals (RFC 3262 §7.1: otherwise 481).
                _ua.Respond(tx, request, 481, "No Reliable Provisional Pending");
                break;
            default:
                _ua.Respond(tx, request, 405, "Method Not Allowed", r => r.Headers.Set(SipHeaderNames.Allow, _ua.Options.Allow));
                break;
        }
    }

    private void OnReinvite(ServerTransaction tx, SipRequest request, Dialog dialog)
    {
        if (_reinviteInProgress || State is CallState.Answering)
        {
            // RFC 3261 §14.2: an offer while ours is pending: glare.
            _ua.Respond(tx, request, 491, "Request Pending", toTag: dialog.Id.LocalTag);
            return;
        }

        var media = Media;
        string body;
        var heldBefore = IsHeldByPeer;
        if (IsSdp(request) && media is not null)
        {
            var outcome = media.AnswerOffer(BodyText(request));
            if (!outcome.Success)
            {
                // §14.2: the session continues unchanged.
                _ua.Respond(tx, request, 488, "Not Acceptable Here", toTag: dialog.Id.LocalTag);
                return;
            }

            body = outcome.Answer!;
            IsHeldByPeer = outcome.PeerHolds;
        }
        else
        {
            body = media?.CreateOffer(_localHold) ?? "";
        }

        dialog.RefreshTarget(request);
        var ok = SipResponseFactory.Create(request, 200, null, dialog.Id.LocalTag);
        _ua.AddCommonHeaders(ok, isResponse: true);
        ok.Headers.Set(SipHeaderNames.Contact, Contact(dialog, tx.Flow.Destination).ToString());
        AddSessionTimerToAnswer(request, ok);
        SetBody(ok, body);
        _reinviteInProgress = true;
        tx.Respond(ok);
        _pending2xxTransaction = tx;
        Start2xxRetransmission(ok);
        RestartSessionTimerAfterRefresh();
        if (heldBefore != IsHeldByPeer)
        {
            HoldChanged?.Invoke(this, IsHeldByPeer);
        }
    }

    private void OnUpdate(ServerTransaction tx, SipRequest request, Dialog dialog)
    {
        // RFC 3311 §5.2: UPDATE may carry an offer; the answer goes in its 2xx.
        var ok = SipResponseFactory.Create(request, 200, null, dialog.Id.LocalTag);
        _ua.AddCommonHeaders(ok, isResponse: true);
        ok.Headers.Set(SipHeaderNames.Contact, Contact(dialog, tx.Flow.Destination).ToString());
        var heldBefore = IsHeldByPeer;
        if (IsSdp(request) && Media is { } media)
        {
            var outcome = media.AnswerOffer(BodyText(request));
            if (!outcome.Success)
            {
                _ua.Respond(tx, request, 488, "Not Acceptable Here", toTag: dialog.Id.LocalTag);
                return;
            }

            IsHeldByPeer = outcome.PeerHolds;
            SetBody(ok, outcome.Answer!);
        }

        dialog.RefreshTarget(request);
        AddSessionTimerToAnswer(request, ok);
        tx.Respond(ok);
        RestartSessionTimerAfterRefresh();
        if (heldBefore != IsHeldByPeer)
        {
            HoldChanged?.Invoke(this, IsHeldByPeer);
        }
    }

    private Dialog? FindDialog(SipRequest request)
    {
        var remoteTag = request.From?.Parameters.Get("tag");
        if (_dialog is { } d && d.Id.RemoteTag == remoteTag)
        {
            return d;
        }

        return remoteTag is not null && _earlyDialogs.TryGetValue(remoteTag, out var early) ? early : null;
    }

    // ---------------------------------------------------------------- our in-dialog requests

    private void SendReinvite()
    {
        if (State != CallState.Established || _dialog is not { } dialog || Media is not { } media)
        {
            return;
        }

        if (_reinviteInProgress)
        {
            _reofferAfterGlare = true;
            return;
        }

        var reinvite = dialog.CreateRequest(SipMethods.Invite, Contact(dialog));
        reinvite.Headers.Set(SipHeaderNames.Allow, _ua.Options.Allow);
        reinvite.Headers.Set(SipHeaderNames.Supported, _ua.Options.Supported);
        if (_sessionExpires > 0)
        {
            reinvite.Headers.Set(SipHeaderNames.SessionExpires, string.Create(CultureInfo.InvariantCulture, $"{_sessionExpires};refresher=uac"));
        }

        SetBody(reinvite, media.CreateOffer(_localHold));
        _reinviteInProgress = true;
        SendInDialog(reinvite, new ReinviteUser(this));
    }

    private void OnReinviteFinal(SipResponse response, SipRequest reinvite)
    {
        _reinviteInProgress = false;
        if (_dialog is not { } dialog)
        {
            return;
        }

        var status = response.StatusCode;
        if (status is >= 200 and < 300)
        {
            dialog.RefreshTarget(response);
            var ack = dialog.CreateAck(reinvite.CSeq!.Value.Number, Contact(dialog));
            SendAck(ack, dialog);
            if (IsSdp(response))
            {
                Media?.ApplyAnswer(BodyText(response));
            }

            RestartSessionTimerAfterRefresh();
        }
        else if (status == 491)
        {
            // §14.1: glare: retry after a random 2.1–4 s (we do not own the Call-ID: RFC 3261's "not owner" range).
            var timer = Loop.CreateTimer(static s => ((SipCall)s!).SendReinvite(), this);
            timer.Start(TimeSpan.FromMilliseconds(Random.Shared.Next(2100, 4000)));
        }
        else if (status is 408 or 481)
        {
            // §14.1: the dialog is gone.
            SendBye();
            End(CallEndReason.Failed, status);
        }

        if (_reofferAfterGlare && status != 491)
        {
            _reofferAfterGlare = false;
            SendReinvite();
        }
    }

    private void SendBye()
    {
        if (_dialog is not { } dialog || dialog.State == DialogState.Terminated)
        {
            return;
        }

        var bye = dialog.CreateRequest(SipMethods.Bye, Contact(dialog));
        dialog.Terminate();
        SendInDialog(bye, new InDialogRequestUser(this));
    }

    private void SendInDialog(SipRequest request, IClientTransactionUser user, Dialog? dialog = null)
    {
        dialog ??= _dialog!;
        _ua.AddCommonHeaders(request, isResponse: false);
        LocateInDialog(dialog, destination => _ua.Transactions.SendRequest(request, [destination], user));
    }

    /// <summary>The next hop for an in-dialog request: the first Route, else the remote target (§12.2.1.1, §8.1.2).</summary>
    private void LocateInDialog(Dialog dialog, Action<SipDestination> then)
    {
        if ((_serverInvite?.Flow ?? _dial?.Flow) is { } flow && flow.Protocol.IsWebSocket())
        {
            // RFC 7118 §5: a WebSocket client's Contact host is a made-up .invalid name; the only way to reach it is the
            // connection its INVITE came over (closed: the request fails at once, as the client is gone).
            then(flow.Destination);
            return;
        }

        var next = dialog.RouteSet.Count > 0 ? dialog.RouteSet[0].Uri : dialog.RemoteTarget;
        _ua.Locate(next, located =>
        {
            // A call placed over TLS keeps TLS for the rest of its dialog (its re-INVITEs carry the SDES keys again): a
            // route or target that would go in clear is reached through the flow the INVITE took instead.
            var destinations = _nextHop is { Protocol: SipTransportProtocol.Tls } ? CallTransportBinding.Allowed(located, SipTransportProtocol.Tls) : located;
            if (destinations.Count > 0)
            {
                then(destinations[0]);
            }
            else if (_nextHop is { } fallback)
            {
                then(fallback);
            }
        });
    }

    private void HangupOnLoop()
    {
        switch (State)
        {
            case CallState.Calling or CallState.Ringing:
                _hangupRequested = true;
                State = CallState.Ending;
                if (_inviteTx is not { } tx || !_ua.Transactions.Cancel(tx, new InDialogRequestUser(this)))
                {
                    // Nothing sent yet, or already final: the INVITE's outcome ends the call.
                    if (_inviteTx is null)
                    {
                        End(CallEndReason.Cancelled, null);
                    }
                }

                break;
            case CallState.Incoming:
                RejectOnLoop(603, "Decline");
                break;
            case CallState.Answering or CallState.Established:
                _retransmit2xx?.Cancel();
                _dialog?.Confirm();
                SendBye();
                End(CallEndReason.LocalHangup, null);
                break;
        }
    }

    // ---------------------------------------------------------------- session timers (RFC 4028)

    private void AddSessionTimerToAnswer(SipRequest request, SipResponse ok)
    {
        if (_ua.Options.SessionExpiresSeconds <= 0 || request.Headers.Get(SipHeaderNames.SessionExpires) is not { } se)
        {
            return;
        }

        var parts = se.Split(';', StringSplitOptions.TrimEntries);
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var interval))
        {
            return;
        }

        // §9: we may lower the interval, never below Min-SE; the refresher is the UAC unless it asked otherwise.
        interval = Math.Max(Math.Min(interval, _ua.Options.SessionExpiresSeconds), _ua.Options.MinSessionExpiresSeconds);
        var refresher = parts.Skip(1).FirstOrDefault(p => p.StartsWith("refresher=", StringComparison.OrdinalIgnoreCase))?["refresher=".Length..] ?? "uac";
        var supportsTimer = request.Headers.GetAll(SipHeaderNames.Supported).Contains("timer", StringComparer.OrdinalIgnoreCase);
        if (!supportsTimer)
        {
            // §9: the UAC cannot refresh: we must.
            refresher = "uas";
        }
        else
        {
            ok.Headers.Set(SipHeaderNames.Require, "timer");
        }

        ok.Headers.Set(SipHeaderNames.SessionExpires, string.Create(CultureInfo.InvariantCulture, $"{interval};refresher={refresher}"));
    }

    private void StartSessionTimer(SipMessage answer, bool weAreUac)
    {
        if (answer.Headers.Get(SipHeaderNames.SessionExpires) is not { } se)
        {
            return;
        }

        var parts = se.Split(';', StringSplitOptions.TrimEntries);
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var interval) || interval <= 0)
        {
            return;
        }

        var refresher = parts.Skip(1).FirstOrDefault(p => p.StartsWith("refresher=", StringComparison.OrdinalIgnoreCase))?["refresher=".Length..];
        _sessionExpires = interval;
        _isRefresher = refresher is null ? weAreUac : string.Equals(refresher, weAreUac ? "uac" : "uas", StringComparison.OrdinalIgnoreCase);
        ArmSessionTimer();
    }

    private void RestartSessionTimerAfterRefresh()
    {
        if (_sessionExpires > 0)
        {
            ArmSessionTimer();
        }
    }

    private void ArmSessionTimer()
    {
        _sessionTimer ??= Loop.CreateTimer(static s => ((SipCall)s!).OnSessionTimer(), this);
        // §10: the refresher refreshes at half the interval; the other side gives up at interval - min(32, interval/3).
        var seconds = _isRefresher ? _sessionExpires / 2.0 : _sessionExpires - Math.Min(32, _sessionExpires / 3.0);
        _sessionTimer.Start(TimeSpan.FromSeconds(seconds));
    }

    private void OnSessionTimer()
    {
        if (State != CallState.Established)
        {
            return;
        }

        if (_isRefresher)
        {
            SendReinvite();
            ArmSessionTimer();
            return;
        }

        // §10: no refresh arrived: the session is dead; BYE and end.
        SendBye();
        End(CallEndReason.Timeout, null);
    }

    // ---------------------------------------------------------------- helpers

    private void End(CallEndReason reason, int? status)
    {
        if (State == CallState.Ended)
        {
            return;
        }

        State = CallState.Ended;
        EndReason = reason;
        EndStatus = status;
        _retransmit2xx?.Dispose();
        _sessionTimer?.Dispose();
        _dialog?.Terminate();
        _ua.Forget(this);
        Ended?.Invoke(this);
    }

    private void Track(Dialog dialog)
    {
        _dialogIds.Add(dialog.Id);
        _ua.RegisterDialog(dialog.Id, this);
    }

    private void Untrack(Dialog dialog)
    {
        _dialogIds.Remove(dialog.Id);
        _ua.UnregisterDialog(dialog.Id);
    }

    private SipNameAddress Contact(Dialog dialog, SipDestination? towards = null) =>
        ContactTowards(towards ?? _nextHop ?? _serverInvite?.Flow.Destination ?? default, dialog.IsSecure);

    /// <summary>
    /// The transport's Contact towards <paramref name="destination"/> (§8.1.1.8), or, behind a NAT, the registered one
    /// (<see cref="LocalContact"/>) whose host or port differs from it: the address the registrar saw us at (RFC 3581 §4),
    /// where a peer's requests in the dialog reach us through the NAT's mapping.
    /// </summary>
    private SipNameAddress ContactTowards(SipDestination destination, bool secure)
    {
        var own = _ua.CreateContact(destination, secure);
        if (LocalContact is { } registered && registered.IsSecure == own.Uri.IsSecure
            && (!string.Equals(registered.Host, own.Uri.Host, StringComparison.OrdinalIgnoreCase)
                || (registered.Port ?? destination.Protocol.DefaultPort()) != (own.Uri.Port ?? destination.Protocol.DefaultPort())))
        {
            return new SipNameAddress(registered.Clone());
        }

        return own;
    }

    private SipRequest CloneForRetry(SipRequest previous)
    {
        var headers = previous.Headers.Clone();
        headers.Remove(SipHeaderNames.Via);
        var cseq = previous.CSeq!.Value;
        headers.Set(SipHeaderNames.CSeq, string.Create(CultureInfo.InvariantCulture, $"{cseq.Number + 1} {cseq.Method}"));
        return new SipRequest(previous.Method, previous.RequestUri.Clone(), headers, previous.Body);
    }

    private static void SetBody(SipMessage message, string sdp)
    {
        message.Headers.Set(SipHeaderNames.ContentType, SdpType);
        message.Body = Encoding.UTF8.GetBytes(sdp);
    }

    private static bool IsSdp(SipMessage message) =>
        message.Body.Length > 0 && message.ContentType is { } type
        && type.Split(';')[0].Trim().Equals(SdpType, StringComparison.OrdinalIgnoreCase);

    private static string BodyText(SipMessage message) => Encoding.UTF8.GetString(message.Body.Span);

    /// <summary>BYE, CANCEL, PRACK, INFO: their outcome needs no action beyond ending a call that was waiting for it.</summary>
    private sealed class InDialogRequestUser(SipCall call) : IClientTransactionUser
    {
        public void OnProvisional(ClientTransaction transaction, SipResponse response)
        {
        }

        public void OnFinal(ClientTransaction transaction, SipResponse response)
        {
            if (transaction.Method == SipMethods.Bye && call.State == CallState.Ending)
            {
                call.End(CallEndReason.LocalHangup, null);
            }
        }

        public void OnTimeout(ClientTransaction transaction)
        {
        }

        public void OnTransportError(ClientTransaction transaction, SipTransportError error)
        {
        }
    }

    private sealed class ReinviteUser(SipCall call) : IClientTransactionUser
    {
        public void OnProvisional(ClientTransaction transaction, SipResponse response)
        {
        }

        public void OnFinal(ClientTransaction transaction, SipResponse response) => call.OnReinviteFinal(response, transaction.Request);

        public void OnTimeout(ClientTransaction transaction) => call.OnReinviteFinal(new SipResponse(408), transaction.Request);

        public void OnTransportError(ClientTransaction transaction, SipTransportError error) => call.OnReinviteFinal(new SipResponse(408), transaction.Request);
    }
}
