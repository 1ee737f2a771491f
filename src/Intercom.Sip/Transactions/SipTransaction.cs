using Intercom.Sip.Core;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Transactions;

/// <summary>
/// What client and server transactions share (RFC 3261 §17): the request, the state, and three one-shot timers on the
/// SIP loop — a retransmission timer (A, E, G), a timeout timer (B, F, H, L) and a wait timer (D, I, J, K, M, and the
/// 200 ms 100-Trying delay).
/// </summary>
public abstract class SipTransaction
{
    private protected SipTransaction(TransactionLayer layer, SipRequest request, TransactionState initialState)
    {
        Layer = layer;
        Request = request;
        IsInvite = request.Method == SipMethods.Invite;
        State = initialState;
        RetransmitTimer = layer.Loop.CreateTimer(static s => ((SipTransaction)s!).OnRetransmitTimer(), this);
        TimeoutTimer = layer.Loop.CreateTimer(static s => ((SipTransaction)s!).OnTimeoutTimer(), this);
        WaitTimer = layer.Loop.CreateTimer(static s => ((SipTransaction)s!).OnWaitTimer(), this);
    }

    /// <summary>The request that created the transaction.</summary>
    public SipRequest Request { get; }

    /// <summary>The method of that request.</summary>
    public string Method => Request.Method;

    /// <summary>True for INVITE (figures 5 and 7), false for the rest (figures 6 and 8).</summary>
    public bool IsInvite { get; }

    /// <summary>The current state.</summary>
    public TransactionState State { get; private protected set; }

    /// <summary>The last response received (client) or sent (server), if any.</summary>
    public SipResponse? LastResponse { get; private protected set; }

    private protected TransactionLayer Layer { get; }

    private protected SipTimer RetransmitTimer { get; }

    private protected SipTimer TimeoutTimer { get; }

    private protected SipTimer WaitTimer { get; }

    /// <summary>True over TCP/TLS: no retransmissions, and the wait timers are zero.</summary>
    private protected abstract bool Reliable { get; }

    /// <summary>Ends the transaction: timers stop and the layer forgets it.</summary>
    internal void Terminate()
    {
        if (State == TransactionState.Terminated)
        {
            return;
        }

        State = TransactionState.Terminated;
        RetransmitTimer.Dispose();
        TimeoutTimer.Dispose();
        WaitTimer.Dispose();
        RemoveFromLayer();
    }

    private protected abstract void OnRetransmitTimer();

    private protected abstract void OnTimeoutTimer();

    private protected abstract void OnWaitTimer();

    private protected abstract void RemoveFromLayer();

    /// <summary>Timers D, I, J, K: their value over UDP, zero (terminate now) over reliable transports.</summary>
    private protected void StartWait(TimeSpan unreliableWait)
    {
        if (Reliable)
        {
            Terminate();
        }
        else
        {
            WaitTimer.Start(unreliableWait);
        }
    }
}
