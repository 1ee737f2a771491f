using Intercom.Station.Calls;

namespace Intercom.TestSupport;

/// <summary>Records what the station asks of the SIP side and lets a test raise the events a user agent would.</summary>
public sealed class FakeCallControl : ICallControl
{
    private long _next = 100;

    public event EventHandler<CallEventArgs>? CallEvent;

    public List<(CallHandle Call, string Target)> Dialled { get; } = [];

    public List<CallHandle> HungUp { get; } = [];

    public List<CallHandle> Answered { get; } = [];

    public List<(CallHandle Call, int Status)> Rejected { get; } = [];

    public List<StationTone> Tones { get; } = [];

    /// <summary>Targets whose Dial reports Ended(Failed) synchronously, from inside Dial (an unroutable URI).</summary>
    public HashSet<string> Unroutable { get; } = [];

    public StationTone LastTone => Tones.Count == 0 ? StationTone.None : Tones[^1];

    public CallHandle Dial(string target)
    {
        var call = new CallHandle(++_next);
        Dialled.Add((call, target));
        if (Unroutable.Contains(target))
        {
            Raise(CallEventArgs.Ended(call, CallEndReason.Failed, 404));
        }

        return call;
    }

    /// <summary>The account each <see cref="Dial(string, string?)"/> named, in order (null: none).</summary>
    public List<string?> DialledAccounts { get; } = [];

    public CallHandle Dial(string target, string? account)
    {
        DialledAccounts.Add(account);
        return Dial(target);
    }

    /// <summary>Legs whose far end is a web user's own page (<see cref="ICallControl.WebUserOf"/>).</summary>
    public Dictionary<CallHandle, string> WebUsers { get; } = [];

    public string? WebUserOf(CallHandle call) => WebUsers.GetValueOrDefault(call);

    public void Answer(CallHandle call) => Answered.Add(call);

    public void Reject(CallHandle call, int sipStatus) => Rejected.Add((call, sipStatus));

    public void HangUp(CallHandle call) => HungUp.Add(call);

    public void PlayTone(StationTone tone) => Tones.Add(tone);

    public CallHandle LegTo(string target) => Dialled.FindLast(d => d.Target == target).Call;

    public void Ring(CallHandle call) => Raise(CallEventArgs.Ringing(call));

    public void Answer(string target) => Raise(CallEventArgs.Answered(LegTo(target)));

    public void Confirm(CallHandle call) => Raise(CallEventArgs.Answered(call));

    /// <summary>The leg was forwarded (3xx) and the call side follows it to <paramref name="target"/>.</summary>
    public void Redirect(CallHandle call, string target, int status = 302) => Raise(CallEventArgs.Redirected(call, target, status));

    public void End(CallHandle call, CallEndReason reason = CallEndReason.RemoteHangUp, int status = 0) =>
        Raise(CallEventArgs.Ended(call, reason, status));

    public void Keys(CallHandle call, string digits, DtmfSource source = DtmfSource.Rfc4733)
    {
        foreach (var digit in digits)
        {
            Raise(CallEventArgs.Dtmf(call, digit, source));
        }
    }

    /// <summary>A call comes in; <paramref name="origin"/> is what the SIP side's source check found (through the registrar by default).</summary>
    public CallHandle Incoming(string callerUri, CallerOrigin origin = CallerOrigin.Registrar)
    {
        var call = new CallHandle(++_next);
        Raise(CallEventArgs.Incoming(call, callerUri, origin));
        return call;
    }

    /// <summary>A call comes in from <paramref name="sourceAddress"/>, a network the station trusts.</summary>
    public CallHandle Incoming(string callerUri, string sourceAddress)
    {
        var call = new CallHandle(++_next);
        Raise(CallEventArgs.Incoming(call, callerUri, CallerOrigin.TrustedSource, System.Net.IPAddress.Parse(sourceAddress)));
        return call;
    }

    private void Raise(CallEventArgs e) => CallEvent?.Invoke(this, e);
}
