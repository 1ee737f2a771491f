using Intercom.Station.Calls;
using Intercom.Station.Codes;
using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Intercom.Station.Routing;

namespace Intercom.Station;

// The station on the phone: a call button or the keypad rings a ring group, an incoming call is admitted (or not) and
// auto-answered, and the call ends by a hang-up, a time limit or shutdown. One call at a time.
public sealed partial class DoorStation
{
    private void HandleCallButton(string buttonId)
    {
        EventBus.Publish(new ButtonPressed(buttonId));
        if (_outgoing is { IsActive: true })
        {
            _outgoing.OnButton();
            UpdateState();
            return;
        }

        if (_incoming is not null)
        {
            EventBus.Publish(new ButtonIgnored());
            return;
        }

        if (_routing.TrySelect(buttonId, _time.GetLocalNow(), out var group, out var reason))
        {
            StartCall(group, $"button {buttonId}");
        }
        else
        {
            EventBus.Publish(new ButtonNotRouted(buttonId, reason));
            _calls.PlayTone(StationTone.Failure);
        }
    }

    private void DialTarget(string target, string origin, string? account)
    {
        if (_stopped)
        {
            return;
        }

        if (_outgoing is { IsActive: true } || _incoming is not null)
        {
            EventBus.Publish(new DialRefused(origin, DialRefusal.CallInProgress));
            return;
        }

        var group = _routing.Group(target);
        if (group is null)
        {
            // The same rule as a ring group's targets: a SIP URI, an extension, or a browser phone ("web", "web:NAME").
            if (!WebPhoneTarget.IsDialable(target))
            {
                EventBus.Publish(new DialRefused(origin, DialRefusal.NotDialable));
                return;
            }

            group = new RingGroupConfig
            {
                Id = target,
                Targets = [target],
                RingTimeoutSeconds = _config.Keypad.RingTimeoutSeconds,
                Account = account,
            };
        }
        else if (account is not null && account != group.Account)
        {
            // The requester's account for this call only; the configured group is not changed.
            group = group.WithAccount(account);
        }

        StartCall(group, origin);
    }

    private void StartCall(RingGroupConfig group, string origin)
    {
        _outgoing?.Dispose();
        _outgoing = new RingGroupCall(group, origin, _calls, _loop, _time, EventBus, OnOutgoingFinished);
        _outgoing.Start();
        UpdateState();
    }

    private void OnOutgoingFinished(RingGroupCall call, CallOutcome outcome)
    {
        if (call.Connected is { } connected)
        {
            _codeLock.EndScope(CodeScope.ForCall(connected));
        }

        // The finished call stays in _outgoing until the next one, so late events of its legs are absorbed by Owns().
        // The outcome is already logged and its tone played by the call itself.
        _ = outcome;
        UpdateState();
    }

    private void HandleCallEvent(CallEventArgs e)
    {
        if (_stopped)
        {
            if (e.Kind == CallEventKind.Incoming)
            {
                _calls.Reject(e.Call, 480);
            }

            return;
        }

        switch (e.Kind)
        {
            case CallEventKind.Incoming:
                HandleIncoming(e.Call, e.RemoteUri, e.Origin, e.SourceAddress);
                return;
            case CallEventKind.Dtmf:
                HandleDtmf(e.Call, e.Digit, e.DtmfSource);
                return;
        }

        if (_outgoing is not null && _outgoing.Owns(e.Call))
        {
            switch (e.Kind)
            {
                case CallEventKind.Ringing:
                    _outgoing.OnRinging(e.Call);
                    break;
                case CallEventKind.Redirected:
                    _outgoing.OnRedirected(e.Call, e.RemoteUri ?? "", e.SipStatus);
                    break;
                case CallEventKind.Answered:
                    _outgoing.OnAnswered(e.Call);
                    break;
                case CallEventKind.Ended:
                    _outgoing.OnEnded(e.Call, e.EndReason, e.SipStatus);
                    break;
            }

            UpdateState();
            return;
        }

        if (_incoming == e.Call)
        {
            if (e.Kind == CallEventKind.Answered && _config.Incoming.AnnouncementBeep)
            {
                _calls.PlayTone(StationTone.Announcement);
            }
            else if (e.Kind == CallEventKind.Ended)
            {
                EventBus.Publish(new IncomingCallEnded(e.Call, e.EndReason));
                EndIncoming();
            }

            return;
        }

        if (e.Kind == CallEventKind.Answered)
        {
            // An answer on a leg the station no longer wants (a cancelled target picking up late): end it.
            _calls.HangUp(e.Call);
        }
    }

    private void HandleIncoming(CallHandle call, string? callerUri, CallerOrigin origin, System.Net.IPAddress? source)
    {
        if (origin == CallerOrigin.Unverified)
        {
            // The SIP side let in a call nothing vouches for (no source check): the From alone opens nothing.
            _calls.Reject(call, 403);
            EventBus.Publish(new IncomingCallRejected(callerUri, origin, IncomingRefusal.Unverified, 403));
            return;
        }

        // Auto-answer off refuses everyone alike, so the answer says nothing about the allowlist.
        if (!_config.Incoming.AutoAnswer)
        {
            _calls.Reject(call, 480);
            EventBus.Publish(new IncomingCallRejected(callerUri, origin, IncomingRefusal.AutoAnswerOff, 480));
            return;
        }

        // The page's user gave the page's password (the allowlist names SIP callers, who have no session to show).
        if (origin != CallerOrigin.WebPage && !CallerMatch.IsAllowed(_config.Incoming.Allowlist, callerUri, origin))
        {
            _calls.Reject(call, 403);
            EventBus.Publish(new IncomingCallRejected(callerUri, origin, IncomingRefusal.NotAllowed, 403));
            return;
        }

        if (_incoming is not null || _outgoing is { IsActive: true })
        {
            _calls.Reject(call, 486);
            EventBus.Publish(new IncomingCallRejected(callerUri, origin, IncomingRefusal.Busy, 486));
            return;
        }

        _incoming = call;
        _codeLock.IdentifyCaller(CodeScope.ForCall(call), source);
        _calls.Answer(call);
        _incomingMaxTimer.Start(TimeSpan.FromSeconds(_config.Incoming.MaxCallSeconds));
        EventBus.Publish(new IncomingCallAnswered(callerUri, origin, call));
        UpdateState();
    }

    private void OnIncomingMaxCallTime()
    {
        if (_incoming is { } call)
        {
            EventBus.Publish(new CallTimeLimitReached(null, call, _config.Incoming.MaxCallSeconds));
            _calls.HangUp(call);
            EndIncoming();
        }
    }

    private void EndIncoming()
    {
        if (_incoming is { } call)
        {
            _codeLock.EndScope(CodeScope.ForCall(call));
        }

        _incoming = null;
        _incomingMaxTimer.Stop();
        UpdateState();
    }

    /// <summary>The call that is connected now (an incoming call, or the ring group's answered leg), if any.</summary>
    private CallHandle? ConnectedCall() => _incoming ?? (_outgoing is { IsActive: true, Connected: { } connected } ? connected : null);

    private void HangUpAll(string by)
    {
        _outgoing?.HangUp(by);
        if (_incoming is { } call)
        {
            _calls.HangUp(call);
            EventBus.Publish(new IncomingCallHungUp(call, by));
            EndIncoming();
        }

        UpdateState();
    }
}
