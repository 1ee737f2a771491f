using Intercom.Station.Calls;
using Intercom.Station.Codes;
using Intercom.Station.Configuration;
using Intercom.Station.Events;

namespace Intercom.Station;

// How a door opens from a code: DTMF keyed in the connected call or at the keypad goes through the code lock, an
// accepted code pulses its relay with the accepted tone, and the call may be ended a few seconds after the door opened.
public sealed partial class DoorStation
{
    private void HandleDtmf(CallHandle call, char digit, DtmfSource source)
    {
        // Only the connected call may key codes: a ringing leg's early media or a cancelled leg has no say.
        var connected = _incoming == call || (_outgoing is { IsActive: true } o && o.Connected == call);
        if (!connected)
        {
            return;
        }

        var path = source switch
        {
            DtmfSource.Rfc4733 => "RFC 4733",
            DtmfSource.SipInfo => "SIP INFO",
            _ => "in-band",
        };
        var result = _codeLock.Enter(CodeScope.ForCall(call), digit, path, out var code);
        AfterCode(result, code);
    }

    private void HandleKey(char key)
    {
        if (_stopped)
        {
            return;
        }

        switch (_keypad.Press(key, out var value, out var code))
        {
            case KeypadOutcome.Dial when value is not null:
                DialTarget(value, "keypad", null);
                break;
            case KeypadOutcome.OpenRelay when code is not null:
                AfterCode(CodeResult.Accepted, code);
                break;
            case KeypadOutcome.Rejected:
                _calls.PlayTone(StationTone.Rejected);
                break;
        }
    }

    /// <returns>True when an accepted code's relay opened.</returns>
    private bool AfterCode(CodeResult result, CodeConfig? code, string? openedBy = null)
    {
        switch (result)
        {
            case CodeResult.Accepted when code is not null:
                var opened = _board.OpenRelay(code.Relay);
                _calls.PlayTone(StationTone.Accepted);
                if (opened)
                {
                    var by = openedBy ?? (string.IsNullOrEmpty(code.Id) ? "a code" : $"code '{code.Id}'");
                    HangUpAfterOpen(code.Relay, by, code.HangUpAfterSeconds ?? _config.HangUpAfterOpenSeconds, playTone: false);
                }

                return opened;
            case CodeResult.Rejected or CodeResult.LockedOut:
                _calls.PlayTone(StationTone.Rejected);
                break;
        }

        return false;
    }

    /// <summary>
    /// A door was opened: with <paramref name="seconds"/> set and a call connected, that call is ended that many seconds
    /// later. A later opening in the same call starts the wait again with its own setting (0 cancels it).
    /// </summary>
    private void HangUpAfterOpen(string relayId, string openedBy, int? seconds, bool playTone)
    {
        if (ConnectedCall() is not { } call)
        {
            return;
        }

        if (seconds is not > 0)
        {
            if (_hangUpAfterOpen == call)
            {
                _hangUpAfterOpen = null;
                _hangUpAfterOpenTimer.Stop();
            }

            return;
        }

        if (playTone)
        {
            // The code path has played it already; an opening from the page or the API is confirmed the same way.
            _calls.PlayTone(StationTone.Accepted);
        }

        _hangUpAfterOpen = call;
        _hangUpAfterOpenTimer.Start(TimeSpan.FromSeconds(seconds.Value));
        EventBus.Publish(new CallEndingAfterOpen(call, relayId, openedBy, seconds.Value));
    }

    private void OnHangUpAfterOpen()
    {
        var call = _hangUpAfterOpen;
        _hangUpAfterOpen = null;
        if (call is not null && !_stopped && ConnectedCall() == call)
        {
            HangUpAll("hang-up after the door opened");
        }
    }
}
