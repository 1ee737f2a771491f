using Intercom.Station.Configuration;
using Intercom.Station.Logging;

namespace Intercom.Station.Codes;

/// <summary>
/// Access codes entered as DTMF in a call (any path: RFC 4733, SIP INFO, in-band) or at the keypad.
/// <para>
/// An attempt is the digits since the last attempt ended. A code is accepted the moment the attempt equals it.
/// An attempt fails when it reaches the longest code's length, when '#' ends it, when the call key is pressed on
/// it at the keypad, or when it times out between digits with at least the minimum code length typed. Whether the
/// typed digits are the beginning of a code is never used to decide anything, so an attempt's outcome leaks
/// nothing about codes until its full length.
/// </para>
/// <para>
/// Wrong attempts are counted per scope (a call, the keypad) and for the station: <c>MaxFailures</c> in one scope
/// locks that scope out for <c>LockoutSeconds</c> (hanging up and calling again starts a new scope but not a new
/// station count); <c>StationMaxFailures</c> across all scopes locks the whole station out. While locked out,
/// digits are not evaluated at all, so a right code does not work either. A success resets the counts.
/// Every attempt is logged with its path and outcome — never with its digits.
/// </para>
/// Loop thread only.
/// </summary>
internal sealed class DtmfCodeLock : IDisposable
{
    private const int MinCodeLength = 4;

    private CodeLockConfig _config;
    private IReadOnlyList<CodeConfig> _callCodes;
    private IReadOnlyList<CodeConfig> _keypadCodes;
    private readonly StationLoop _loop;
    private readonly TimeProvider _time;
    private readonly EventLog _log;
    private readonly Dictionary<CodeScope, ScopeState> _scopes = [];
    private int _stationFailures;
    private long _stationLockedUntilTicks;

    public DtmfCodeLock(CodeLockConfig config, IReadOnlyList<CodeConfig> callCodes, IReadOnlyList<CodeConfig> keypadCodes,
        StationLoop loop, TimeProvider time, EventLog log)
    {
        _config = config;
        _callCodes = callCodes;
        _keypadCodes = keypadCodes;
        _loop = loop;
        _time = time;
        _log = log;
    }

    /// <summary>
    /// New codes and limits from a changed configuration. Failure counts and lockouts in force stay: saving the
    /// configuration must not be a way to clear a lockout. Attempts in progress are forgotten.
    /// </summary>
    public void Reconfigure(CodeLockConfig config, IReadOnlyList<CodeConfig> callCodes, IReadOnlyList<CodeConfig> keypadCodes)
    {
        _config = config;
        _callCodes = callCodes;
        _keypadCodes = keypadCodes;
        foreach (var state in _scopes.Values)
        {
            state.Clear();
        }
    }

    /// <summary>True while the station-wide lockout lasts. Any thread (the status page reads it).</summary>
    public bool IsStationLockedOut => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _stationLockedUntilTicks);

    /// <summary>True while <paramref name="scope"/> is locked out (its own or the station's lockout).</summary>
    public bool IsLockedOut(CodeScope scope) =>
        IsStationLockedOut || (_scopes.TryGetValue(scope, out var state) && _time.GetUtcNow() < state.LockedUntil);

    /// <summary>Feeds one digit.</summary>
    /// <param name="scope">Where it was entered.</param>
    /// <param name="digit">0-9 * # A-D (anything else is ignored).</param>
    /// <param name="path">How it arrived, for the log ("RFC 4733", "keypad").</param>
    /// <param name="relayId">For <see cref="CodeResult.Accepted"/>: the relay to open.</param>
    public CodeResult Enter(CodeScope scope, char digit, string path, out string? relayId)
    {
        relayId = null;
        digit = char.ToUpperInvariant(digit);
        if (!IsCodeCharacter(digit))
        {
            return CodeResult.Ignored;
        }

        var state = State(scope);
        var now = _time.GetUtcNow();
        if (IsStationLockedOut || now < state.LockedUntil)
        {
            if (!state.LockoutNoticed)
            {
                state.LockoutNoticed = true;
                _log.Append(StationEventKind.Lockout, $"code entry via {path} on {scope} ignored: locked out");
            }

            return CodeResult.LockedOut;
        }

        if (digit == '#' && state.Length == 0)
        {
            return CodeResult.Ignored;
        }

        state.Digits[state.Length++] = digit;
        var codes = scope.IsKeypad ? _keypadCodes : _callCodes;
        var typed = state.Digits.AsSpan(0, state.Length);
        foreach (var code in codes)
        {
            if (typed.SequenceEqual(code.Code))
            {
                state.Clear();
                state.Failures = 0;
                _stationFailures = 0;
                relayId = code.Relay;
                // The entry's id says whose code it was (the validator keeps the digits out of ids).
                var name = string.IsNullOrEmpty(code.Id) ? "" : $" '{code.Id}'";
                _log.Append(StationEventKind.CodeAccepted, $"code{name} accepted via {path} on {scope}: opening {code.Relay}");
                return CodeResult.Accepted;
            }
        }

        if (digit == '#' || state.Length >= MaxLength(codes))
        {
            Fail(scope, state, path);
            return CodeResult.Rejected;
        }

        state.Timer.Start(TimeSpan.FromMilliseconds(_config.InterDigitTimeoutMs));
        return CodeResult.Pending;
    }

    /// <summary>
    /// Ends the attempt in progress without a code (the keypad's call key on an unknown apartment): counted as a
    /// wrong code when at least the minimum code length was typed, forgotten otherwise.
    /// </summary>
    /// <returns>True when it counted as a wrong code.</returns>
    public bool Abandon(CodeScope scope, string path)
    {
        if (!_scopes.TryGetValue(scope, out var state) || state.Length == 0)
        {
            return false;
        }

        if (state.Length >= MinCodeLength)
        {
            Fail(scope, state, path);
            return true;
        }

        state.Clear();
        return false;
    }

    /// <summary>Forgets the attempt in progress without counting it (the typed digits were an apartment number).</summary>
    public void Reset(CodeScope scope)
    {
        if (_scopes.TryGetValue(scope, out var state))
        {
            state.Clear();
        }
    }

    /// <summary>The call is over: its attempt and its per-call count go; the station count stays.</summary>
    public void EndScope(CodeScope scope)
    {
        if (_scopes.Remove(scope, out var state))
        {
            state.Timer.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var state in _scopes.Values)
        {
            state.Timer.Dispose();
        }

        _scopes.Clear();
    }

    private static bool IsCodeCharacter(char c) => char.IsAsciiDigit(c) || c is '*' or '#' or (>= 'A' and <= 'D');

    private static int MaxLength(IReadOnlyList<CodeConfig> codes)
    {
        var max = MinCodeLength;
        foreach (var code in codes)
        {
            max = Math.Max(max, code.Code.Length);
        }

        return Math.Min(max, ScopeState.Capacity);
    }

    private ScopeState State(CodeScope scope)
    {
        if (!_scopes.TryGetValue(scope, out var state))
        {
            state = new ScopeState();
            state.Timer = new StationTimer(_loop, _time, () => OnInterDigitTimeout(scope));
            _scopes.Add(scope, state);
        }

        return state;
    }

    private void OnInterDigitTimeout(CodeScope scope)
    {
        if (_scopes.TryGetValue(scope, out var state) && state.Length > 0)
        {
            if (state.Length >= MinCodeLength)
            {
                Fail(scope, state, "timeout");
            }
            else
            {
                state.Clear();
            }
        }
    }

    private void Fail(CodeScope scope, ScopeState state, string path)
    {
        state.Clear();
        state.Failures++;
        _stationFailures++;
        var now = _time.GetUtcNow();
        _log.Append(StationEventKind.CodeRejected,
            $"wrong code via {path} on {scope} ({state.Failures} of {_config.MaxFailures}; station {_stationFailures} of {_config.StationMaxFailures})");

        if (state.Failures >= _config.MaxFailures)
        {
            state.Failures = 0;
            state.LockedUntil = now + TimeSpan.FromSeconds(_config.LockoutSeconds);
            state.LockoutNoticed = false;
            _log.Append(StationEventKind.Lockout, $"{scope} locked out for {_config.LockoutSeconds} s after {_config.MaxFailures} wrong codes");
        }

        if (_stationFailures >= _config.StationMaxFailures)
        {
            _stationFailures = 0;
            Interlocked.Exchange(ref _stationLockedUntilTicks, (now + TimeSpan.FromSeconds(_config.StationLockoutSeconds)).UtcTicks);
            foreach (var s in _scopes.Values)
            {
                s.LockoutNoticed = false;
            }

            _log.Append(StationEventKind.Lockout, $"station locked out for {_config.StationLockoutSeconds} s after {_config.StationMaxFailures} wrong codes");
        }
    }

    private sealed class ScopeState
    {
        public const int Capacity = 16;

        public char[] Digits { get; } = new char[Capacity];

        public int Length { get; set; }

        public int Failures { get; set; }

        public DateTimeOffset LockedUntil { get; set; }

        public bool LockoutNoticed { get; set; }

        public StationTimer Timer { get; set; } = null!;

        public void Clear()
        {
            // Overwrite, so typed digits do not linger in memory longer than needed.
            Array.Clear(Digits);
            Length = 0;
            Timer.Stop();
        }
    }
}
