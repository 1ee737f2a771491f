using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transactions;

/// <summary>Records every callback of a client transaction user.</summary>
internal sealed class RecordingClientUser : IClientTransactionUser
{
    public List<string> Events { get; } = [];

    public List<SipResponse> Responses { get; } = [];

    public ClientTransaction? LastTransaction { get; private set; }

    public void OnProvisional(ClientTransaction transaction, SipResponse response)
    {
        LastTransaction = transaction;
        Responses.Add(response);
        Events.Add("provisional " + response.StatusCode);
    }

    public void OnFinal(ClientTransaction transaction, SipResponse response)
    {
        LastTransaction = transaction;
        Responses.Add(response);
        Events.Add("final " + response.StatusCode);
    }

    public void OnTimeout(ClientTransaction transaction)
    {
        LastTransaction = transaction;
        Events.Add("timeout");
    }

    public void OnTransportError(ClientTransaction transaction, SipTransportError error)
    {
        LastTransaction = transaction;
        Events.Add("transport-error " + error);
    }
}

/// <summary>A UA core that records requests and, if told to, answers them at once.</summary>
internal sealed class RecordingTransactionUser : ITransactionUser
{
    public List<(ServerTransaction Transaction, SipRequest Request)> Requests { get; } = [];

    public List<SipRequest> Acks { get; } = [];

    public List<SipResponse> StrayResponses { get; } = [];

    public List<(ServerTransaction Transaction, ServerTransactionFailure Failure)> Failures { get; } = [];

    public Func<SipRequest, SipResponse?>? Answer { get; set; }

    public void OnRequest(ServerTransaction transaction, SipRequest request)
    {
        Requests.Add((transaction, request));
        if (Answer?.Invoke(request) is { } response)
        {
            transaction.Respond(response);
        }
    }

    public void OnAck(SipRequest ack, SipFlow flow) => Acks.Add(ack);

    public void OnStrayResponse(SipResponse response, SipFlow flow) => StrayResponses.Add(response);

    public void OnServerTransactionFailed(ServerTransaction transaction, ServerTransactionFailure failure) =>
        Failures.Add((transaction, failure));
}
