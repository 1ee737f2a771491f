using System.Globalization;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Transactions;

/// <summary>
/// A client transaction (RFC 3261 §17.1): the INVITE state machine of figure 5 with RFC 6026's Accepted state, or the
/// non-INVITE machine of figure 6. One transaction is one branch sent to one destination; fail-over to the next
/// destination starts a new transaction (<see cref="ContinuedBy"/>). Lives on the SIP loop only.
/// </summary>
public sealed class ClientTransaction : SipTransaction, ISipTransportErrorHandler
{
    private readonly IReadOnlyList<SipDestination> _targets;
    private readonly int _targetIndex;
    private TimeSpan _interval;
    private SipRequest? _ack;
    private IClientTransactionUser? _pendingCancelUser;
    private bool _cancelWhenProvisional;

    internal ClientTransaction(TransactionLayer layer, SipRequest request, IReadOnlyList<SipDestination> targets, int targetIndex, IClientTransactionUser user)
        : base(layer, request, request.Method == SipMethods.Invite ? TransactionState.Calling : TransactionState.Trying)
    {
        _targets = targets;
        _targetIndex = targetIndex;
        Destination = targets[targetIndex];
        User = user;
        Branch = request.TopVia?.Branch ?? string.Empty;
    }

    /// <summary>The branch parameter of the top Via: the transaction id (§17.1.3).</summary>
    public string Branch { get; }

    /// <summary>Where the request went.</summary>
    public SipDestination Destination { get; }

    /// <summary>The transaction that took over after a fail-over to the next destination (RFC 3263 §4.3), or null.</summary>
    public ClientTransaction? ContinuedBy { get; private set; }

    /// <summary>Destinations after this one, for fail-over.</summary>
    public int RemainingDestinations => _targets.Count - _targetIndex - 1;

    internal IClientTransactionUser? User { get; private set; }

    private protected override bool Reliable => Destination.Protocol.IsReliable();

    /// <summary>The live end of the fail-over chain: this transaction, or the one that continued it.</summary>
    public ClientTransaction Current
    {
        get
        {
            var tx = this;
            while (tx.ContinuedBy is not null)
            {
                tx = tx.ContinuedBy;
            }

            return tx;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"client {Method} {Branch} {State}";

    void ISipTransportErrorHandler.OnTransportError(SipDestination destination, SipTransportError error)
    {
        // §17.1.1.2 / §17.1.2.2: a transport failure before a final response ends the transaction (a 503 to the TU).
        // Failures of the ACK in Completed, or after the final response, change nothing.
        if (State is TransactionState.Calling or TransactionState.Trying or TransactionState.Proceeding)
        {
            Terminate();
            if (!FailOver())
            {
                User?.OnTransportError(this, error);
            }
        }
    }

    internal void Start()
    {
        Layer.Transport.SendRequest(Request, Destination, this);
        if (State == TransactionState.Terminated)
        {
            // The send failed synchronously and the error handler already finished us.
            return;
        }

        var settings = Layer.Timers;
        if (!Reliable)
        {
            // Timer A (INVITE) / Timer E (non-INVITE) start at T1 (§17.1.1.2, §17.1.2.2).
            _interval = settings.T1;
            RetransmitTimer.Start(_interval);
        }

        // Timer B / Timer F: 64*T1 on every transport.
        TimeoutTimer.Start(settings.TransactionTimeout);
    }

    /// <summary>Marks an INVITE to be cancelled as soon as a provisional response arrives (RFC 3261 §9.1).</summary>
    internal void CancelOnProvisional(IClientTransactionUser? cancelUser)
    {
        _cancelWhenProvisional = true;
        _pendingCancelUser = cancelUser;
    }

    internal void OnResponse(SipResponse response)
    {
        var status = response.StatusCode;
        if (IsInvite)
        {
            OnInviteResponse(response, status);
        }
        else
        {
            OnNonInviteResponse(response, status);
        }
    }

    private void OnInviteResponse(SipResponse response, int status)
    {
        switch (State)
        {
            case TransactionState.Calling:
            case TransactionState.Proceeding:
                if (status < 200)
                {
                    // §17.1.1.2: a provisional response stops retransmissions, and Timer B does not run in Proceeding.
                    State = TransactionState.Proceeding;
                    RetransmitTimer.Cancel();
                    TimeoutTimer.Cancel();
                    LastResponse = response;
                    User?.OnProvisional(this, response);
                    if (_cancelWhenProvisional)
                    {
                        _cancelWhenProvisional = false;
                        Layer.SendCancelNow(this, _pendingCancelUser);
                    }
                }
                else if (status < 300)
                {
                    // RFC 6026 §8.4: Accepted, Timer M; the TU builds the ACK for 2xx.
                    State = TransactionState.Accepted;
                    StopRunningTimers();
                    LastResponse = response;
                    WaitTimer.Start(Layer.Timers.TransactionTimeout);
                    User?.OnFinal(this, response);
                }
                else
                {
                    // §17.1.1.2: 300-699 → Completed, ACK sent by the transaction, Timer D (0 on reliable transports).
                    State = TransactionState.Completed;
                    StopRunningTimers();
                    LastResponse = response;
                    _ack = BuildAck(response);
                    Layer.Transport.SendRequest(_ack, Destination, this);
                    if (status == 503 && FailOver())
                    {
                        StartWait(Layer.Timers.TimerD);
                        return;
                    }

                    User?.OnFinal(this, response);
                    StartWait(Layer.Timers.TimerD);
                }

                break;
            case TransactionState.Accepted:
                // RFC 6026 §8.4: further 2xx (retransmissions or other forks) go to the TU; the rest are absorbed.
                if (status is >= 200 and < 300)
                {
                    User?.OnFinal(this, response);
                }

                break;
            case TransactionState.Completed:
                // §17.1.1.2: a retransmitted final response is answered with the same ACK and not passed up.
                if (status >= 300 && _ack is not null)
                {
                    Layer.Transport.SendRequest(_ack, Destination, this);
                }

                break;
        }
    }

    private void OnNonInviteResponse(SipResponse response, int status)
    {
        if (State is not (TransactionState.Trying or TransactionState.Proceeding))
        {
            // Completed absorbs retransmitted finals (§17.1.2.2).
            return;
        }

        LastResponse = response;
        if (status < 200)
        {
            State = TransactionState.Proceeding;
            User?.OnProvisional(this, response);
            return;
        }

        // §17.1.2.2: final → Completed, Timer K = T4 (0 on reliable transports).
        State = TransactionState.Completed;
        StopRunningTimers();
        if (status == 503 && FailOver())
        {
            StartWait(Layer.Timers.T4);
            return;
        }

        User?.OnFinal(this, response);
        StartWait(Layer.Timers.T4);
    }

    private protected override void OnRetransmitTimer()
    {
        var settings = Layer.Timers;
        switch (State)
        {
            case TransactionState.Calling:
                // Timer A doubles without a cap (§17.1.1.2); Timer B ends it.
                Layer.Transport.SendRequest(Request, Destination, this);
                _interval *= 2;
                RetransmitTimer.Start(_interval);
                break;
            case TransactionState.Trying:
                // Timer E doubles up to T2 (§17.1.2.2).
                Layer.Transport.SendRequest(Request, Destination, this);
                _interval = Min(_interval * 2, settings.T2);
                RetransmitTimer.Start(_interval);
                break;
            case TransactionState.Proceeding when !IsInvite:
                // In Proceeding, Timer E fires every T2.
                Layer.Transport.SendRequest(Request, Destination, this);
                _interval = settings.T2;
                RetransmitTimer.Start(_interval);
                break;
        }
    }

    private protected override void OnTimeoutTimer()
    {
        // Timer B (Calling) / Timer F (Trying, Proceeding): a 408 to the TU (§17.1.1.2, §17.1.2.2).
        if (State is TransactionState.Calling or TransactionState.Trying or TransactionState.Proceeding)
        {
            Terminate();
            if (!FailOver())
            {
                User?.OnTimeout(this);
            }
        }
    }

    private bool FailOver()
    {
        // RFC 3263 §4.3: on a timeout, transport error or 503, try the next destination with a new transaction.
        if (RemainingDestinations <= 0 || User is null)
        {
            return false;
        }

        var user = User;
        User = null;
        ContinuedBy = Layer.StartFailOver(this, _targets, _targetIndex + 1, user);
        if (_cancelWhenProvisional)
        {
            ContinuedBy.CancelOnProvisional(_pendingCancelUser);
        }

        return true;
    }

    private void StopRunningTimers()
    {
        RetransmitTimer.Cancel();
        TimeoutTimer.Cancel();
    }

    private protected override void OnWaitTimer() => Terminate();

    private protected override void RemoveFromLayer() => Layer.Remove(this);

    /// <summary>The ACK for a non-2xx final response (RFC 3261 §17.1.1.3).</summary>
    private SipRequest BuildAck(SipResponse response)
    {
        var headers = new SipHeaders();
        var source = Request.Headers;

        // Only the top Via: the one of the request this ACK belongs to.
        headers.Add(SipHeaderNames.Via, Request.TopVia!.ToString());
        foreach (var route in source.GetLines(SipHeaderNames.Route))
        {
            headers.Add(SipHeaderNames.Route, route);
        }

        headers.Add(SipHeaderNames.MaxForwards, "70");
        CopyFirst(source, headers, SipHeaderNames.From);

        // To comes from the response, with the tag the UAS chose.
        if (response.Headers.Get(SipHeaderNames.To) is { } to)
        {
            headers.Add(SipHeaderNames.To, to);
        }

        CopyFirst(source, headers, SipHeaderNames.CallId);
        var number = Request.CSeq?.Number ?? 0;
        headers.Add(SipHeaderNames.CSeq, number.ToString(CultureInfo.InvariantCulture) + " " + SipMethods.Ack);
        return new SipRequest(SipMethods.Ack, Request.RequestUri, headers);
    }

    internal static void CopyFirst(SipHeaders from, SipHeaders to, string name)
    {
        var index = from.IndexOf(name, 0);
        if (index >= 0)
        {
            to.Add(name, from[index].Value);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
