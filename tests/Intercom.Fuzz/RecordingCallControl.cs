using Intercom.Phone;
using Intercom.Sip.Messages;
using Intercom.Station.Calls;

namespace Intercom.Fuzz;

/// <summary>
/// The station's call port without a SIP stack: a dialled target is turned into a URI and matched to its account as
/// <see cref="SipCallControl"/> does (an extension on the first account's domain), and nothing is sent.
/// </summary>
internal sealed class RecordingCallControl(IReadOnlyList<CallAccount> accounts) : ICallControl
{
    private long _next;

    public event EventHandler<CallEventArgs>? CallEvent;

    /// <summary>Targets dialled, with the account each would have gone through (null: not a SIP URI, the call fails).</summary>
    public List<(string Target, CallAccount? Account)> Dialled { get; } = [];

    /// <summary>The handle of the last call dialled (or <see cref="NewHandle"/>d).</summary>
    public CallHandle Last => new(_next);

    /// <summary>A handle for a call the SIP side would report as incoming.</summary>
    public CallHandle NewHandle() => new(++_next);

    public CallHandle Dial(string target)
    {
        var handle = NewHandle();
        CallAccount? through = null;
        if (CallAccountSelection.TryTargetUri(target, accounts[0], out SipUri uri))
        {
            through = accounts[0];
            foreach (var account in accounts)
            {
                if (account.Serves(uri))
                {
                    through = account;
                    break;
                }
            }
        }

        Dialled.Add((target, through));
        if (through is null)
        {
            CallEvent?.Invoke(this, CallEventArgs.Ended(handle, CallEndReason.Failed));
        }

        return handle;
    }

    /// <summary>Raises a call event as the SIP side would (the callee answered, a digit came in).</summary>
    public void Raise(CallEventArgs e) => CallEvent?.Invoke(this, e);

    public void Answer(CallHandle call)
    {
    }

    public void Reject(CallHandle call, int sipStatus)
    {
    }

    public void HangUp(CallHandle call)
    {
    }

    public void PlayTone(StationTone tone)
    {
    }
}
