using System.Globalization;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Dialogs;

/// <summary>
/// A SIP dialog (RFC 3261 §12): the peer-to-peer state both INVITE sides keep — identity, CSeq counters, the remote target
/// and the route set — and the rules for building requests inside it (§12.2.1.1) and checking requests that arrive (§12.2.2).
/// </summary>
public sealed class Dialog
{
    private Dialog(DialogId id, SipNameAddress local, SipNameAddress remote, SipUri remoteTarget, IReadOnlyList<SipNameAddress> routeSet, bool secure)
    {
        Id = id;
        LocalParty = local;
        RemoteParty = remote;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        IsSecure = secure;
    }

    public DialogId Id { get; private set; }

    public DialogState State { get; private set; } = DialogState.Early;

    /// <summary>Our From (UAC) or To (UAS), with our tag.</summary>
    public SipNameAddress LocalParty { get; }

    /// <summary>The peer's address with its tag.</summary>
    public SipNameAddress RemoteParty { get; private set; }

    /// <summary>The peer's Contact: where in-dialog requests go (§12.2.1.1).</summary>
    public SipUri RemoteTarget { get; private set; }

    /// <summary>Record-Route set, in the order our requests must carry it (§12.1.1, §12.1.2).</summary>
    public IReadOnlyList<SipNameAddress> RouteSet { get; }

    /// <summary>True when the dialog was set up over sips: (§12.1.1).</summary>
    public bool IsSecure { get; }

    /// <summary>The last CSeq we used; the next request takes one more (§12.2.1.1).</summary>
    public uint LocalSequence { get; private set; }

    /// <summary>The highest CSeq the peer used, or null before its first request (§12.2.2).</summary>
    public uint? RemoteSequence { get; private set; }

    /// <summary>
    /// The UAC side of a dialog, from a 1xx-with-tag or 2xx response to our INVITE (§12.1.2): route set = Record-Route
    /// reversed, remote target = the response's Contact.
    /// </summary>
    public static bool TryCreateAsClient(SipRequest request, SipResponse response, out Dialog? dialog)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        dialog = null;
        if (request.From is not { } from || response.To is not { } to || request.CallId is not { } callId
            || from.Parameters.Get("tag") is not { } localTag || to.Parameters.Get("tag") is not { } remoteTag
            || request.CSeq is not { } cseq)
        {
            return false;
        }

        var routes = response.RecordRoutes.Reverse().Select(r => r.Clone()).ToList();
        var target = response.Contacts.Count > 0 ? response.Contacts[0].Uri.Clone() : request.RequestUri.Clone();
        dialog = new Dialog(new DialogId(callId, localTag, remoteTag), from.Clone(), to.Clone(), target, routes, request.RequestUri.IsSecure)
        {
            LocalSequence = cseq.Number,
            State = response.StatusCode >= 200 ? DialogState.Confirmed : DialogState.Early,
        };
        return true;
    }

    /// <summary>
    /// The UAS side of a dialog, from the request and our response carrying a To-tag (§12.1.1): route set = Record-Route in
    /// order, remote target = the request's Contact.
    /// </summary>
    public static bool TryCreateAsServer(SipRequest request, string localTag, out Dialog? dialog)
    {
        ArgumentNullException.ThrowIfNull(request);
        dialog = null;
        if (request.From is not { } from || request.To is not { } to || request.CallId is not { } callId
            || from.Parameters.Get("tag") is not { } remoteTag || request.CSeq is not { } cseq || request.Contacts.Count == 0)
        {
            return false;
        }

        var local = to.Clone();
        local.Parameters.Set("tag", localTag);
        var routes = request.RecordRoutes.Select(r => r.Clone()).ToList();
        dialog = new Dialog(new DialogId(callId, localTag, remoteTag), local, from.Clone(), request.Contacts[0].Uri.Clone(), routes, request.RequestUri.IsSecure)
        {
            RemoteSequence = cseq.Number,
            // §12.2.1.1: our first request in the dialog may start anywhere; a random start avoids colliding with a restart.
            LocalSequence = (uint)Random.Shared.Next(1, 10_000),
        };
        return true;
    }

    public void Confirm()
    {
        if (State == DialogState.Early)
        {
            State = DialogState.Confirmed;
        }
    }

    public void Terminate() => State = DialogState.Terminated;

    /// <summary>
    /// A new request in the dialog (§12.2.1.1): Request-URI and Route from the remote target and route set (loose routing,
    /// §16.12; a strict first hop gets the target appended and becomes the Request-URI), From/To/Call-ID from the dialog,
    /// the next CSeq (ACK and CANCEL reuse the INVITE's number and are not built here).
    /// </summary>
    public SipRequest CreateRequest(string method, SipNameAddress localContact)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(localContact);
        LocalSequence++;
        return CreateRequest(method, LocalSequence, localContact);
    }

    /// <summary>The ACK for a 2xx (§13.2.2.4): built like any in-dialog request but with the INVITE's CSeq number.</summary>
    public SipRequest CreateAck(uint inviteSequence, SipNameAddress localContact) =>
        CreateRequest(SipMethods.Ack, inviteSequence, localContact);

    private SipRequest CreateRequest(string method, uint sequence, SipNameAddress localContact)
    {
        var headers = new SipHeaders();
        SipUri requestUri;
        if (RouteSet.Count > 0 && !RouteSet[0].Uri.IsLooseRouter)
        {
            // §12.2.1.1 strict routing: the first route becomes the Request-URI, the remote target goes last.
            requestUri = RouteSet[0].Uri.Clone();
            for (var i = 1; i < RouteSet.Count; i++)
            {
                headers.Add(SipHeaderNames.Route, RouteSet[i].ToString());
            }

            headers.Add(SipHeaderNames.Route, $"<{RemoteTarget}>");
        }
        else
        {
            requestUri = RemoteTarget.Clone();
            foreach (var route in RouteSet)
            {
                headers.Add(SipHeaderNames.Route, route.ToString());
            }
        }

        headers.Add(SipHeaderNames.MaxForwards, "70");
        headers.Add(SipHeaderNames.From, LocalParty.ToString());
        headers.Add(SipHeaderNames.To, RemoteParty.ToString());
        headers.Add(SipHeaderNames.CallId, Id.CallId);
        headers.Add(SipHeaderNames.CSeq, string.Create(CultureInfo.InvariantCulture, $"{sequence} {method}"));
        if (method is not (SipMethods.Ack or SipMethods.Bye or SipMethods.Cancel))
        {
            headers.Add(SipHeaderNames.Contact, localContact.ToString());
        }

        return new SipRequest(method, requestUri, headers);
    }

    /// <summary>
    /// Checks an in-dialog request's CSeq (§12.2.2): lower than the last one seen means out of order (answer 500); ACK and
    /// CANCEL are exempt.
    /// </summary>
    public bool TryAcceptRemoteSequence(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method is SipMethods.Ack or SipMethods.Cancel || request.CSeq is not { } cseq)
        {
            return true;
        }

        if (RemoteSequence is { } last && cseq.Number <= last)
        {
            return false;
        }

        RemoteSequence = cseq.Number;
        return true;
    }

    /// <summary>Target refresh (§12.2): a re-INVITE, UPDATE or their 2xx may carry a new Contact.</summary>
    public void RefreshTarget(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Contacts.Count > 0)
        {
            RemoteTarget = message.Contacts[0].Uri.Clone();
        }
    }
}
