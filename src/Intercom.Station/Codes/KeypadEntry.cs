using Intercom.Station.Configuration;
using Intercom.Station.Events;

namespace Intercom.Station.Codes;

/// <summary>
/// What is typed at the keypad: every key goes to the code lock (local codes) and to the apartment number being
/// typed. The clear key forgets both, and the call key dials the typed apartment; either ends the code attempt as a
/// wrong code when at least the shortest code's length was typed (and it is not an apartment) — otherwise they would
/// let anyone try every code without ever being locked out. Typed digits are never logged. Loop thread only.
/// </summary>
internal sealed class KeypadEntry : IDisposable
{
    private readonly DtmfCodeLock _codeLock;
    private readonly StationEventBus _events;
    private readonly Dictionary<string, string> _dialMap = new(StringComparer.Ordinal);
    private readonly StationTimer _timer;
    private readonly TimeSpan _interDigitTimeout;
    private readonly char[] _digits = new char[8];
    private readonly char _callKey;
    private readonly char _clearKey;
    private int _length;

    public KeypadEntry(KeypadConfig config, TimeSpan interDigitTimeout, DtmfCodeLock codeLock, StationLoop loop, TimeProvider time, StationEventBus events)
    {
        _codeLock = codeLock;
        _events = events;
        _interDigitTimeout = interDigitTimeout;
        _timer = new StationTimer(loop, time, Clear);
        _callKey = config.CallKey is { Length: 1 } call ? call[0] : '#';
        _clearKey = config.ClearKey is { Length: 1 } clear ? clear[0] : '*';
        foreach (var entry in config.DialMap)
        {
            _dialMap[entry.Apartment] = entry.Target;
        }
    }

    /// <summary>Handles one key.</summary>
    /// <param name="key">The key's character.</param>
    /// <param name="value">For <see cref="KeypadOutcome.Dial"/> the target, for <see cref="KeypadOutcome.OpenRelay"/> the relay id.</param>
    /// <param name="code">For <see cref="KeypadOutcome.OpenRelay"/>: the local code entry that matched.</param>
    public KeypadOutcome Press(char key, out string? value, out CodeConfig? code)
    {
        value = null;
        code = null;
        if (key == _clearKey)
        {
            // Clearing is giving up the attempt, not taking it back: a code's length typed is a guess, and counts.
            Clear();
            return _codeLock.Abandon(CodeScope.Keypad, "keypad (clear key)") ? KeypadOutcome.Rejected : KeypadOutcome.None;
        }

        if (key == _callKey)
        {
            var typed = new string(_digits, 0, _length);
            Clear();
            if (typed.Length > 0 && _dialMap.TryGetValue(typed, out var target))
            {
                _codeLock.Reset(CodeScope.Keypad);
                _events.Publish(new ApartmentDialled(typed));
                value = target;
                return KeypadOutcome.Dial;
            }

            _codeLock.Abandon(CodeScope.Keypad, "keypad");
            if (typed.Length == 0)
            {
                return KeypadOutcome.None;
            }

            _events.Publish(new UnknownApartment());
            return KeypadOutcome.Rejected;
        }

        if (_length == _digits.Length)
        {
            Clear();
        }

        _digits[_length++] = key;
        _timer.Start(_interDigitTimeout);
        switch (_codeLock.Enter(CodeScope.Keypad, key, "keypad", out var accepted))
        {
            case CodeResult.Accepted:
                Clear();
                value = accepted?.Relay;
                code = accepted;
                return KeypadOutcome.OpenRelay;
            case CodeResult.Rejected or CodeResult.LockedOut:
                Clear();
                return KeypadOutcome.Rejected;
            default:
                return KeypadOutcome.None;
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Clear()
    {
        Array.Clear(_digits);
        _length = 0;
        _timer.Stop();
    }
}
