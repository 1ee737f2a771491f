using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent;

/// <summary>
/// Turns a non-INVITE client transaction into a task of its final response; a timeout or transport failure completes it
/// with the response RFC 3261 §8.1.3.1 says to act on (408, 503).
/// </summary>
internal sealed class RequestCompletion : IClientTransactionUser
{
    private readonly TaskCompletionSource<SipResponse> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<SipResponse> Task => _done.Task;

    public void OnProvisional(ClientTransaction transaction, SipResponse response)
    {
    }

    public void OnFinal(ClientTransaction transaction, SipResponse response) => _done.TrySetResult(response);

    public void OnTimeout(ClientTransaction transaction) => _done.TrySetResult(new SipResponse(408, "Request Timeout"));

    public void OnTransportError(ClientTransaction transaction, SipTransportError error) =>
        _done.TrySetResult(new SipResponse(503, $"Service Unavailable ({error})"));

    public void Fail(int status, string reason) => _done.TrySetResult(new SipResponse(status, reason));
}
