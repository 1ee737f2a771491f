using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Intercom.Station.Events;

namespace Intercom.Station.Routing;

/// <summary>
/// One visitor's call through a ring group. The group's targets make steps — all targets at once (parallel) or one
/// per step (sequential) — followed by one step of all fallback targets. Each step rings for the ring timeout; a
/// step ends early when all its legs failed. The first answer wins: the other legs of its step are cancelled
/// (an answer that crosses the CANCEL is hung up, RFC 3261 §9.1). Once connected, the maximum call time applies.
/// Loop thread only.
/// </summary>
internal sealed class RingGroupCall : IDisposable
{
    private readonly List<IReadOnlyList<string>> _steps = [];
    private readonly List<CallHandle> _legs = [];
    private readonly HashSet<CallHandle> _dialled = [];
    private readonly ICallControl _calls;
    private readonly StationEventBus _events;
    private readonly string _origin;
    private readonly Action<RingGroupCall, CallOutcome> _finished;
    private readonly StationTimer _ringTimer;
    private readonly StationTimer _maxCallTimer;
    private int _step = -1;
    private bool _ringingLogged;
    private bool _anyNoAnswer;
    private bool _anyBusy;
    private bool _done;

    public RingGroupCall(RingGroupConfig group, string origin, ICallControl calls, StationLoop loop, TimeProvider time, StationEventBus events,
        Action<RingGroupCall, CallOutcome> finished)
    {
        Group = group;
        _origin = origin;
        _calls = calls;
        _events = events;
        _finished = finished;
        _ringTimer = new StationTimer(loop, time, OnRingTimeout);
        _maxCallTimer = new StationTimer(loop, time, OnMaxCallTime);
        if (group.Mode == RingMode.Sequential)
        {
            foreach (var target in group.Targets)
            {
                _steps.Add([target]);
            }
        }
        else if (group.Targets.Count > 0)
        {
            _steps.Add(group.Targets);
        }

        if (group.Fallback.Count > 0)
        {
            _steps.Add(group.Fallback);
        }
    }

    public RingGroupConfig Group { get; }

    /// <summary>The answered leg, once connected.</summary>
    public CallHandle? Connected { get; private set; }

    /// <summary>True until the call has finished (ringing or connected).</summary>
    public bool IsActive => !_done;

    /// <summary>True while targets ring (not yet connected, not finished).</summary>
    public bool IsRinging => !_done && Connected is null;

    /// <summary>True for every leg this call dialled (also cancelled ones, whose late events are absorbed here).</summary>
    public bool Owns(CallHandle call) => _dialled.Contains(call);

    public void Start()
    {
        _events.Publish(new RingGroupCalling(_origin, Group.Id, Group.Mode, _steps.Count));
        _calls.PlayTone(StationTone.Calling);
        NextStep();
    }

    public void OnRinging(CallHandle call)
    {
        if (!_done && _legs.Contains(call) && !_ringingLogged)
        {
            _ringingLogged = true;
            _events.Publish(new RingGroupRinging(Group.Id));
        }
    }

    /// <summary>A leg of the current step was forwarded (3xx) and rings the new target now; the step's timer still runs.</summary>
    public void OnRedirected(CallHandle call, string target, int sipStatus)
    {
        if (!_done && _legs.Contains(call))
        {
            _events.Publish(new RingGroupRedirected(Group.Id, call, target, sipStatus));
        }
    }

    public void OnAnswered(CallHandle call)
    {
        if (_done || Connected is not null || !_legs.Remove(call))
        {
            // An answer from a leg already cancelled or timed out crossed our CANCEL: end it (RFC 3261 §9.1).
            if (Connected != call)
            {
                _calls.HangUp(call);
            }

            return;
        }

        Connected = call;
        _ringTimer.Stop();
        foreach (var other in _legs)
        {
            _calls.HangUp(other);
        }

        _legs.Clear();
        _calls.PlayTone(StationTone.None);
        _maxCallTimer.Start(TimeSpan.FromSeconds(Group.MaxCallSeconds));
        _events.Publish(new RingGroupAnswered(Group.Id, call));
    }

    public void OnEnded(CallHandle call, CallEndReason reason, int sipStatus)
    {
        if (_done)
        {
            return;
        }

        if (Connected == call)
        {
            _events.Publish(new RingGroupCallEnded(Group.Id, reason, sipStatus));
            Finish(CallOutcome.Completed);
            return;
        }

        if (!_legs.Remove(call))
        {
            return;
        }

        switch (reason)
        {
            case CallEndReason.Busy or CallEndReason.Declined:
                _anyBusy = true;
                break;
            case CallEndReason.NoAnswer:
                _anyNoAnswer = true;
                break;
        }

        if (_legs.Count == 0 && Connected is null)
        {
            _ringTimer.Stop();
            _events.Publish(new RingGroupStepFailed(Group.Id, _step + 1, reason, sipStatus));
            NextStep();
        }
    }

    /// <summary>A call button was pressed during this call.</summary>
    public void OnButton()
    {
        switch (Group.ButtonDuringCall)
        {
            case ButtonInCallAction.HangUp:
                HangUp("button");
                break;
            case ButtonInCallAction.NextTarget when IsRinging:
                _events.Publish(new RingGroupSkipped(Group.Id));
                CancelLegs();
                NextStep();
                break;
            default:
                _events.Publish(new ButtonIgnored());
                break;
        }
    }

    /// <summary>Ends the call from the station's side.</summary>
    public void HangUp(string by)
    {
        if (_done)
        {
            return;
        }

        CancelLegs();
        if (Connected is { } connected)
        {
            _calls.HangUp(connected);
        }

        _events.Publish(new RingGroupHungUp(Group.Id, by));
        Finish(CallOutcome.Cancelled);
    }

    public void Dispose()
    {
        _ringTimer.Dispose();
        _maxCallTimer.Dispose();
    }

    private void NextStep()
    {
        _step++;
        _ringingLogged = false;
        if (_step >= _steps.Count)
        {
            var outcome = _anyNoAnswer ? CallOutcome.NoAnswer : _anyBusy ? CallOutcome.Busy : CallOutcome.Failed;
            _events.Publish(new RingGroupUnanswered(Group.Id, outcome));
            Finish(outcome);
            return;
        }

        var targets = _steps[_step];
        if (_step > 0)
        {
            _events.Publish(new RingGroupNextStep(Group.Id, _step + 1, _steps.Count));
        }

        _ringTimer.Start(TimeSpan.FromSeconds(Group.RingTimeoutSeconds));
        foreach (var target in targets)
        {
            // A browser-phone target is one leg per registered phone: first answer wins among them as among SIP targets.
            foreach (var leg in _calls.DialTarget(target, Group.Account))
            {
                _dialled.Add(leg);
                _legs.Add(leg);
            }
        }
    }

    private void OnRingTimeout()
    {
        if (!IsRinging)
        {
            return;
        }

        _anyNoAnswer = true;
        _events.Publish(new RingGroupRingTimeout(Group.Id, Group.RingTimeoutSeconds));
        CancelLegs();
        NextStep();
    }

    private void OnMaxCallTime()
    {
        if (_done || Connected is not { } connected)
        {
            return;
        }

        _events.Publish(new CallTimeLimitReached(Group.Id, connected, Group.MaxCallSeconds));
        _calls.HangUp(connected);
        Finish(CallOutcome.MaxCallTime);
    }

    private void CancelLegs()
    {
        _ringTimer.Stop();
        foreach (var leg in _legs)
        {
            _calls.HangUp(leg);
        }

        _legs.Clear();
    }

    private void Finish(CallOutcome outcome)
    {
        if (_done)
        {
            return;
        }

        _done = true;
        _ringTimer.Stop();
        _maxCallTimer.Stop();
        _calls.PlayTone(outcome switch
        {
            CallOutcome.Busy => StationTone.Busy,
            CallOutcome.NoAnswer or CallOutcome.Failed => StationTone.Failure,
            _ => StationTone.None,
        });
        _finished(this, outcome);
    }
}
