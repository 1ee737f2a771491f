using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Transactions;

/// <summary>
/// A server transaction (RFC 3261 §17.2): the INVITE state machine of figure 7 with RFC 6026's Accepted state, or the
/// non-INVITE machine of figure 8. It absorbs retransmitted requests by re-sending its last response, retransmits
/// 300–699 responses to INVITE over UDP (Timer G) until the ACK arrives, and sends 100 Trying for an INVITE the TU has
/// not answered within 200 ms. Lives on the SIP loop only.
/// </summary>
public sealed class ServerTransaction : SipTransaction, ISipTransportErrorHandler
{
    private TimeSpan _interval;

    internal ServerTransaction(TransactionLayer layer, SipRequest request, SipFlow flow, TransactionKey key)
        : base(layer, request, request.Method == SipMethods.Invite ? TransactionState.Proceeding : TransactionState.Trying)
    {
        Flow = flow;
        Key = key;
    }

    /// <summary>The flow the request came in on; responses go back over it (RFC 3261 §18.2.2).</summary>
    public SipFlow Flow { get; }

    /// <summary>For a CANCEL: the INVITE server transaction it cancels (RFC 3261 §9.2), or null when none matched.</summary>
    public ServerTransaction? CancelTarget { get; internal set; }

    internal TransactionKey Key { get; }

    private protected override bool Reliable => Flow.Protocol.IsReliable();

    /// <summary>
    /// Sends a response (the TU's only way to answer). Provisional responses keep the transaction open; a final response
    /// completes it. For INVITE, further 2xx retransmissions from the TU (RFC 3261 §13.3.1.4) are sent while Accepted.
    /// </summary>
    /// <returns>False when the state does not allow the response (e.g. a second non-2xx final); nothing is sent.</returns>
    public bool Respond(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = response.StatusCode;
        switch (State)
        {
            case TransactionState.Trying:
            case TransactionState.Proceeding:
                break;
            case TransactionState.Accepted when status is >= 200 and < 300:
                Send(response);
                return true;
            default:
                return false;
        }

        LastResponse = response;
        if (status < 200)
        {
            State = TransactionState.Proceeding;
            WaitTimer.Cancel(); // The 100 Trying timer: the TU answered.
            Send(response);
            return true;
        }

        var settings = Layer.Timers;
        WaitTimer.Cancel();
        if (IsInvite && status < 300)
        {
            // RFC 6026 §7.1: Accepted, Timer L; the TU retransmits its 2xx until the ACK (§13.3.1.4).
            State = TransactionState.Accepted;
            Send(response);
            TimeoutTimer.Start(settings.TransactionTimeout);
            return true;
        }

        State = TransactionState.Completed;
        Send(response);
        if (State == TransactionState.Terminated)
        {
            return true;
        }

        if (IsInvite)
        {
            // §17.2.1: Timer G retransmits over UDP from T1, Timer H (64*T1) waits for the ACK on every transport.
            if (!Reliable)
            {
                _interval = settings.T1;
                RetransmitTimer.Start(_interval);
            }

            TimeoutTimer.Start(settings.TransactionTimeout);
        }
        else
        {
            // §17.2.2: Timer J = 64*T1 over UDP, 0 on reliable transports.
            StartWait(settings.TransactionTimeout);
        }

        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"server {Method} {State}";

    void ISipTransportErrorHandler.OnTransportError(SipDestination destination, SipTransportError error)
    {
        // §17.2.4: the transport already tried the §18.2.2 alternatives; the transaction ends and the TU hears of it.
        if (State == TransactionState.Terminated)
        {
            return;
        }

        Terminate();
        Layer.User?.OnServerTransactionFailed(this, ServerTransactionFailure.TransportError);
    }

    internal void StartTryingTimer()
    {
        // §17.2.1: 100 Trying unless the TU answers within 200 ms.
        if (IsInvite && State == TransactionState.Proceeding && LastResponse is null)
        {
            WaitTimer.Start(Layer.Timers.TryingDelay);
        }
    }

    /// <summary>A retransmission of the request (§17.2.1, §17.2.2).</summary>
    internal void OnRetransmittedRequest()
    {
        switch (State)
        {
            case TransactionState.Proceeding:
            case TransactionState.Completed:
                if (LastResponse is not null)
                {
                    Send(LastResponse);
                }

                break;

            // Trying absorbs silently; Accepted absorbs (RFC 6026 §7.1); Confirmed absorbs.
        }
    }

    /// <summary>An ACK matching this INVITE transaction.</summary>
    /// <returns>True when the ACK is passed to the TU (RFC 6026 §7.1: in Accepted).</returns>
    internal bool OnAck()
    {
        switch (State)
        {
            case TransactionState.Completed:
                // §17.2.1: Confirmed; Timer I = T4 over UDP, 0 on reliable transports; G and H stop.
                State = TransactionState.Confirmed;
                RetransmitTimer.Cancel();
                TimeoutTimer.Cancel();
                StartWait(Layer.Timers.T4);
                return false;
            case TransactionState.Accepted:
                return true;
            default:
                return false;
        }
    }

    private protected override void OnRetransmitTimer()
    {
        if (State != TransactionState.Completed || LastResponse is null)
        {
            return;
        }

        // Timer G doubles up to T2 (§17.2.1).
        Send(LastResponse);
        _interval = _interval * 2 < Layer.Timers.T2 ? _interval * 2 : Layer.Timers.T2;
        RetransmitTimer.Start(_interval);
    }

    private protected override void OnTimeoutTimer()
    {
        if (State == TransactionState.Completed)
        {
            // Timer H: the ACK never came.
            Terminate();
            Layer.User?.OnServerTransactionFailed(this, ServerTransactionFailure.AckTimeout);
        }
        else if (State == TransactionState.Accepted)
        {
            // Timer L (RFC 6026 §7.1).
            Terminate();
        }
    }

    private protected override void OnWaitTimer()
    {
        if (State == TransactionState.Proceeding && IsInvite && LastResponse is null)
        {
            LastResponse = SipResponseFactory.Create(Request, 100);
            Send(LastResponse);
            return;
        }

        // Timer I (Confirmed) or Timer J (Completed, non-INVITE).
        if (State is TransactionState.Confirmed or TransactionState.Completed)
        {
            Terminate();
        }
    }

    private void Send(SipResponse response) => Layer.Transport.SendResponse(response, Flow, this);

    private protected override void RemoveFromLayer() => Layer.Remove(this);
}
