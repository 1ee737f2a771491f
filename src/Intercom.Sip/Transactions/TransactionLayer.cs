using System.Globalization;
using System.Security.Cryptography;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Transactions;

/// <summary>
/// The RFC 3261 §17 transaction layer: creates client transactions for requests the TU sends, matches responses to them
/// (§17.1.3), creates server transactions for requests that arrive and absorbs their retransmissions (§17.2.3), and passes
/// up what no transaction owns (ACK for 2xx, stray responses). Everything runs on the <see cref="SipLoop"/>; no locks.
/// </summary>
/// <remarks>
/// Typical use by a UA core:
/// <code>
/// var layer = new TransactionLayer(loop, transportLayer, uaCore);
/// var tx = layer.SendRequest(invite, targets, callLeg);      // callLeg : IClientTransactionUser
/// // uaCore.OnRequest(serverTx, request) => serverTx.Respond(SipResponseFactory.Create(request, 200, toTag: tag));
/// </code>
/// </remarks>
public sealed class TransactionLayer : ISipTransportUser
{
    private readonly Dictionary<(string Branch, string Method), ClientTransaction> _clients = [];
    private readonly Dictionary<TransactionKey, ServerTransaction> _servers = [];

    /// <summary>Creates the layer and registers it as the transport's user.</summary>
    /// <param name="loop">The loop that owns all transactions and runs their timers.</param>
    /// <param name="transport">The transport (a <see cref="SipTransportLayer"/>, or a fake in tests).</param>
    /// <param name="user">The UA core receiving new requests, ACKs for 2xx and stray responses.</param>
    /// <param name="timers">T1/T2/T4; RFC 3261 defaults when null.</param>
    public TransactionLayer(SipLoop loop, ISipTransport transport, ITransactionUser? user, SipTimerSettings? timers = null)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(transport);
        Loop = loop;
        Transport = transport;
        User = user;
        Timers = timers ?? SipTimerSettings.Default;
        transport.SetUser(this);
    }

    /// <summary>The loop that owns the transactions.</summary>
    public SipLoop Loop { get; }

    /// <summary>The transport below.</summary>
    public ISipTransport Transport { get; }

    /// <summary>Timer values.</summary>
    public SipTimerSettings Timers { get; }

    /// <summary>The UA core above; may be set after construction (before traffic).</summary>
    public ITransactionUser? User { get; set; }

    /// <summary>Client transactions alive (any state but Terminated).</summary>
    public int ClientTransactionCount => _clients.Count;

    /// <summary>Server transactions alive.</summary>
    public int ServerTransactionCount => _servers.Count;

    /// <summary>
    /// Requests to a UDP destination larger than this many bytes are sent over TCP first (RFC 3261 §18.1.1: 1300 when
    /// the path MTU is unknown); 0 turns the rule off.
    /// </summary>
    public int UdpSizeThreshold { get; set; } = 1300;

    /// <summary>Responses dropped because they carried more than one Via (RFC 3261 §8.1.3.3).</summary>
    public long MisroutedResponses { get; private set; }

    /// <summary>A new RFC 3261 branch: the magic cookie and 64 random bits (§8.1.1.7).</summary>
    public static string NewBranch()
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        return SipVia.MagicCookie + Convert.ToHexStringLower(random);
    }

    /// <summary>
    /// Sends a request in a new client transaction to <paramref name="targets"/>[0], failing over to the next target on a
    /// transport error, a timeout or a 503 (RFC 3263 §4.3) with a new branch each time. The layer writes the top Via
    /// (transport, sent-by, branch, rport) unless the request already has one with a z9hG4bK branch.
    /// </summary>
    /// <param name="request">Any request but ACK (see <see cref="SendAck"/>).</param>
    /// <param name="targets">Destinations in order, from <see cref="SipServerLocator"/> or a flow.</param>
    /// <param name="user">Receives the responses and failures.</param>
    public ClientTransaction SendRequest(SipRequest request, IReadOnlyList<SipDestination> targets, IClientTransactionUser user)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(user);
        if (targets.Count == 0)
        {
            throw new ArgumentException("At least one destination is needed.", nameof(targets));
        }

        if (request.Method == SipMethods.Ack)
        {
            throw new ArgumentException("ACK is not sent in a transaction; use SendAck.", nameof(request));
        }

        var ownVia = request.TopVia is not { IsRfc3261Branch: true };
        if (ownVia)
        {
            request.SetTopVia(Transport.CreateVia(targets[0], NewBranch()));
        }

        if (ownVia && targets[0].Protocol == SipTransportProtocol.Udp && UdpSizeThreshold > 0
            && SipMessageWriter.ToBytes(request).Length > UdpSizeThreshold)
        {
            // §18.1.1: a request larger than 1300 bytes (path MTU unknown) goes over TCP to the same place; if TCP
            // fails, the fail-over below retries over UDP as the RFC allows.
            var viaTcp = new List<SipDestination>(targets.Count + 1) { targets[0] with { Protocol = SipTransportProtocol.Tcp } };
            viaTcp.AddRange(targets);
            targets = viaTcp;
            request.SetTopVia(Transport.CreateVia(targets[0], NewBranch()));
        }

        return Start(request, targets, 0, user);
    }

    /// <summary>
    /// Sends an ACK for a 2xx (or any request that needs no transaction) straight to the transport (RFC 3261 §13.2.2.4,
    /// §17.1.1.3). A new top Via with a new branch is written unless the request has one.
    /// </summary>
    public void SendAck(SipRequest ack, SipDestination destination)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.TopVia is not { IsRfc3261Branch: true })
        {
            ack.SetTopVia(Transport.CreateVia(destination, NewBranch()));
        }

        Transport.SendRequest(ack, destination, null);
    }

    /// <summary>
    /// Cancels an INVITE (RFC 3261 §9.1): builds the CANCEL from the INVITE and sends it in its own transaction to the same
    /// destination. If no provisional response has arrived yet, the CANCEL waits for one (§9.1).
    /// </summary>
    /// <returns>False when the INVITE already has a final response (nothing left to cancel).</returns>
    public bool Cancel(ClientTransaction invite, IClientTransactionUser? user)
    {
        ArgumentNullException.ThrowIfNull(invite);
        var tx = invite.Current;
        if (!tx.IsInvite)
        {
            throw new ArgumentException("Only INVITE transactions can be cancelled.", nameof(invite));
        }

        switch (tx.State)
        {
            case TransactionState.Calling:
                tx.CancelOnProvisional(user);
                return true;
            case TransactionState.Proceeding:
                SendCancelNow(tx, user);
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc/>
    void ISipTransportUser.OnRequestReceived(SipRequest request, SipFlow flow)
    {
        var method = request.Method;
        var isAck = method == SipMethods.Ack;
        if (!TransactionKey.TryCreate(request, isAck ? SipMethods.Invite : method, out var key, out var isRfc3261))
        {
            return;
        }

        if (isAck)
        {
            if (_servers.TryGetValue(key, out var invite) && (isRfc3261 || AckToTagMatches(request, invite)))
            {
                if (invite.OnAck())
                {
                    User?.OnAck(request, flow);
                }

                return;
            }

            User?.OnAck(request, flow);
            return;
        }

        if (_servers.TryGetValue(key, out var existing))
        {
            existing.OnRetransmittedRequest();
            return;
        }

        var tx = new ServerTransaction(this, request, flow, key);
        _servers[key] = tx;
        if (method == SipMethods.Cancel)
        {
            // §9.2: the CANCEL names its INVITE by the same transaction id with method INVITE.
            var inviteKey = key with { Method = SipMethods.Invite };
            if (_servers.TryGetValue(inviteKey, out var target) && target.State != TransactionState.Terminated)
            {
                tx.CancelTarget = target;
            }
        }

        tx.StartTryingTimer();
        User?.OnRequest(tx, request);
    }

    /// <inheritdoc/>
    void ISipTransportUser.OnResponseReceived(SipResponse response, SipFlow flow)
    {
        // §8.1.3.3: a response with more than one Via was meant for someone else.
        if (response.Vias.Count != 1)
        {
            MisroutedResponses++;
            return;
        }

        var branch = response.TopVia!.Branch;
        var cseq = response.CSeq;
        if (branch is not null && cseq is not null && _clients.TryGetValue((branch, cseq.Value.Method), out var tx))
        {
            tx.OnResponse(response);
            return;
        }

        User?.OnStrayResponse(response, flow);
    }

    internal ClientTransaction StartFailOver(ClientTransaction failed, IReadOnlyList<SipDestination> targets, int index, IClientTransactionUser user)
    {
        // RFC 3263 §4.3: a new transaction with a new branch (the failed one may still absorb retransmissions).
        var old = failed.Request;
        var request = new SipRequest(old.Method, old.RequestUri, old.Headers.Clone(), old.Body);
        request.SetTopVia(Transport.CreateVia(targets[index], NewBranch()));
        return Start(request, targets, index, user);
    }

    internal void SendCancelNow(ClientTransaction invite, IClientTransactionUser? user)
    {
        var source = invite.Request.Headers;
        var headers = new SipHeaders();

        // §9.1: the same top Via (so the UAS matches the INVITE, §9.2), Request-URI, Call-ID, From, To, CSeq number and Route.
        headers.Add(SipHeaderNames.Via, invite.Request.TopVia!.ToString());
        foreach (var route in source.GetLines(SipHeaderNames.Route))
        {
            headers.Add(SipHeaderNames.Route, route);
        }

        headers.Add(SipHeaderNames.MaxForwards, "70");
        ClientTransaction.CopyFirst(source, headers, SipHeaderNames.From);
        ClientTransaction.CopyFirst(source, headers, SipHeaderNames.To);
        ClientTransaction.CopyFirst(source, headers, SipHeaderNames.CallId);
        var number = invite.Request.CSeq?.Number ?? 0;
        headers.Add(SipHeaderNames.CSeq, number.ToString(CultureInfo.InvariantCulture) + " " + SipMethods.Cancel);
        var cancel = new SipRequest(SipMethods.Cancel, invite.Request.RequestUri, headers);
        Start(cancel, [invite.Destination], 0, user ?? NullClientUser.Instance);
    }

    internal void Remove(ClientTransaction tx)
    {
        var key = (tx.Branch, tx.Method);
        if (_clients.TryGetValue(key, out var current) && ReferenceEquals(current, tx))
        {
            _clients.Remove(key);
        }
    }

    internal void Remove(ServerTransaction tx)
    {
        if (_servers.TryGetValue(tx.Key, out var current) && ReferenceEquals(current, tx))
        {
            _servers.Remove(tx.Key);
        }
    }

    private ClientTransaction Start(SipRequest request, IReadOnlyList<SipDestination> targets, int index, IClientTransactionUser user)
    {
        var tx = new ClientTransaction(this, request, targets, index, user);
        _clients[(tx.Branch, tx.Method)] = tx;
        tx.Start();
        return tx;
    }

    private static bool AckToTagMatches(SipRequest ack, ServerTransaction invite) =>
        string.Equals(ack.To?.Tag, invite.LastResponse?.To?.Tag, StringComparison.Ordinal);

    private sealed class NullClientUser : IClientTransactionUser
    {
        public static readonly NullClientUser Instance = new();

        public void OnProvisional(ClientTransaction transaction, SipResponse response)
        {
        }

        public void OnFinal(ClientTransaction transaction, SipResponse response)
        {
        }

        public void OnTimeout(ClientTransaction transaction)
        {
        }

        public void OnTransportError(ClientTransaction transaction, SipTransportError error)
        {
        }
    }
}
