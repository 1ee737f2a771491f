using System.Net;
using Intercom.Station.Configuration;
using Intercom.Station.Events;

namespace Intercom.Station.Codes;

/// <summary>
/// Access codes entered as DTMF in a call (any path: RFC 4733, SIP INFO, in-band) or at the keypad.
/// <para>
/// An attempt is the digits since the last attempt ended. A code is accepted the moment the attempt equals it.
/// Every try counts: an attempt is a wrong code when it reaches the longest code's length or '#' ends it, and also
/// when it is given up with at least the shortest code's length typed — by hanging up, by the keypad's clear or call
/// key, or by waiting past the inter-digit timeout. Whether the typed digits are the beginning of a code is never used
/// to decide anything, and every code is compared in full, so no event and no timing tells how close a guess was.
/// </para>
/// <para>
/// Wrong codes are counted per caller and for the station (<see cref="FailureCount"/>). A caller is the keypad, the
/// source address of an incoming SIP call (its count survives hanging up and calling again; an IPv6 caller is its
/// /64), or else the call itself. <c>MaxFailures</c> from one caller locks that caller out; <c>StationMaxFailures</c>
/// from all of them lock the whole station out. Each further lockout of the same caller or of the station lasts twice
/// as long, up to <c>MaxLockoutSeconds</c>; counts and doubling are forgotten after <c>ForgetAfterSeconds</c> of quiet.
/// A right code clears no count, so interleaving guesses with a resident's entries gains nothing. While locked out,
/// digits are not evaluated at all, so a right code does not work either. Every attempt is logged with its path and
/// outcome — never with its digits; a lockout's ignored entries are logged once per lockout.
/// </para>
/// Loop thread only.
/// </summary>
internal sealed class DtmfCodeLock : IDisposable
{
    private const int MinCodeLength = 4;

    /// <summary>SIP sources remembered at once: an attacker with many addresses still meets the station's count.</summary>
    internal const int MaxRememberedSources = 1024;

    private const string KeypadCaller = "keypad";

    private CodeLockConfig _config;
    private IReadOnlyList<CodeConfig> _callCodes;
    private IReadOnlyList<CodeConfig> _keypadCodes;
    private readonly StationLoop _loop;
    private readonly TimeProvider _time;
    private readonly StationEventBus _events;
    private readonly Dictionary<CodeScope, Attempt> _attempts = [];
    private readonly Dictionary<CodeScope, string> _callerOf = [];
    private readonly Dictionary<string, FailureCount> _callers = new(StringComparer.Ordinal);
    private readonly FailureCount _station = new();
    private readonly StationTimer _keypadLockoutEnd;
    private readonly StationTimer _stationLockoutEnd;
    private long _stationLockedUntilTicks;
    private long _keypadLockedUntilTicks;

    public DtmfCodeLock(CodeLockConfig config, IReadOnlyList<CodeConfig> callCodes, IReadOnlyList<CodeConfig> keypadCodes,
        StationLoop loop, TimeProvider time, StationEventBus events)
    {
        _config = config;
        _callCodes = callCodes;
        _keypadCodes = keypadCodes;
        _loop = loop;
        _time = time;
        _events = events;

        // The keypad's and the station's lockouts are states home automation shows (sensors), so their end is an event too.
        _keypadLockoutEnd = new StationTimer(loop, time, () => _events.Publish(new CodeLockoutEnded(KeypadCaller)));
        _stationLockoutEnd = new StationTimer(loop, time, () => _events.Publish(new CodeLockoutEnded(null)));
    }

    /// <summary>True while the keypad is locked out (its own lockout; the station's is <see cref="IsStationLockedOut"/>). Any thread.</summary>
    public bool IsKeypadLockedOut => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _keypadLockedUntilTicks);

    /// <summary>
    /// New codes and limits from a changed configuration. Failure counts and lockouts in force stay: saving the
    /// configuration must not be a way to clear a lockout. Attempts in progress are forgotten.
    /// </summary>
    public void Reconfigure(CodeLockConfig config, IReadOnlyList<CodeConfig> callCodes, IReadOnlyList<CodeConfig> keypadCodes)
    {
        _config = config;
        _callCodes = callCodes;
        _keypadCodes = keypadCodes;
        foreach (var attempt in _attempts.Values)
        {
            attempt.Clear();
        }
    }

    /// <summary>Callers whose counts are remembered (bounded by <see cref="MaxRememberedSources"/> for SIP sources).</summary>
    internal int RememberedCallers => _callers.Count;

    /// <summary>True while the station-wide lockout lasts. Any thread (the status page reads it).</summary>
    public bool IsStationLockedOut => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _stationLockedUntilTicks);

    /// <summary>True while <paramref name="scope"/> is locked out (its caller's or the station's lockout).</summary>
    public bool IsLockedOut(CodeScope scope) =>
        IsStationLockedOut || (_callers.TryGetValue(CallerOf(scope), out var caller) && caller.IsLockedOut(_time.GetUtcNow()));

    /// <summary>
    /// Says where an incoming call comes from: its wrong codes then count against that source across all its calls,
    /// not against the call alone. Without it (an outgoing call, an unknown source) the call is its own caller.
    /// </summary>
    public void IdentifyCaller(CodeScope scope, IPAddress? source)
    {
        if (!scope.IsKeypad && source is not null)
        {
            _callerOf[scope] = SourceName(source);
        }
    }

    /// <summary>Feeds one digit.</summary>
    /// <param name="scope">Where it was entered.</param>
    /// <param name="digit">0-9 * # A-D (anything else is ignored).</param>
    /// <param name="path">How it arrived, for the log ("RFC 4733", "keypad").</param>
    /// <param name="accepted">For <see cref="CodeResult.Accepted"/>: the code entry that matched (its relay to open).</param>
    public CodeResult Enter(CodeScope scope, char digit, string path, out CodeConfig? accepted)
    {
        accepted = null;
        digit = char.ToUpperInvariant(digit);
        if (!IsCodeCharacter(digit))
        {
            return CodeResult.Ignored;
        }

        var now = _time.GetUtcNow();
        var callerName = CallerOf(scope);
        if (IsStationLockedOut)
        {
            if (!_station.LockoutNoticed)
            {
                _station.LockoutNoticed = true;
                _events.Publish(new CodeEntryIgnored(path, scope.ToString(), Caller: null));
            }

            return CodeResult.LockedOut;
        }

        if (_callers.TryGetValue(callerName, out var caller) && caller.IsLockedOut(now))
        {
            if (!caller.LockoutNoticed)
            {
                caller.LockoutNoticed = true;
                _events.Publish(new CodeEntryIgnored(path, scope.ToString(), callerName));
            }

            return CodeResult.LockedOut;
        }

        var attempt = AttemptOf(scope);
        if (digit == '#' && attempt.Length == 0)
        {
            return CodeResult.Ignored;
        }

        attempt.Add(digit);
        var codes = CodesOf(scope);
        if (Match(attempt.Typed, codes) is { } code)
        {
            attempt.Clear();
            accepted = code;
            // The entry's id says whose code it was (the validator keeps the digits out of ids). No count is cleared.
            _events.Publish(new CodeAccepted(string.IsNullOrEmpty(code.Id) ? null : code.Id, path, scope.ToString(), code.Relay));
            return CodeResult.Accepted;
        }

        if (digit == '#' || attempt.Length >= MaxLength(codes))
        {
            Fail(scope, attempt, path);
            return CodeResult.Rejected;
        }

        attempt.Timer.Start(TimeSpan.FromMilliseconds(_config.InterDigitTimeoutMs));
        return CodeResult.Pending;
    }

    /// <summary>
    /// A resident in the call opens the door without digits: the station's own page, whose user the web session proved
    /// (its Open door button). It takes the code path's way out: the attempt in progress on <paramref name="scope"/> is
    /// dropped (its digits are neither a wrong code nor finished by this), <see cref="CodeAccepted"/> names the user, and
    /// the caller gets the entry to open with (<paramref name="relay"/>, the station's hang-up-after-open rule). No count
    /// is cleared, as for a right code; a lockout does not stop it, since no digits are guessed: the password was asked.
    /// </summary>
    public CodeConfig AcceptFromUser(CodeScope scope, string path, string user, string relay)
    {
        if (_attempts.TryGetValue(scope, out var attempt))
        {
            attempt.Clear();
        }

        _events.Publish(new CodeAccepted(null, path, scope.ToString(), relay, user));
        return new CodeConfig { Id = "", Relay = relay };
    }

    /// <summary>
    /// Ends the attempt in progress without a code (the keypad's clear key, or its call key on an unknown apartment):
    /// a wrong code when at least the shortest code's length was typed, forgotten otherwise.
    /// </summary>
    /// <returns>True when it counted as a wrong code.</returns>
    public bool Abandon(CodeScope scope, string path)
    {
        if (!_attempts.TryGetValue(scope, out var attempt) || attempt.Length == 0)
        {
            return false;
        }

        if (attempt.Length >= MinLength(CodesOf(scope)))
        {
            Fail(scope, attempt, path);
            return true;
        }

        attempt.Clear();
        return false;
    }

    /// <summary>Forgets the attempt in progress without counting it (the typed digits were an apartment number).</summary>
    public void Reset(CodeScope scope)
    {
        if (_attempts.TryGetValue(scope, out var attempt))
        {
            attempt.Clear();
        }
    }

    /// <summary>
    /// The call is over. An attempt it leaves with at least the shortest code's length is a wrong code (hanging up is
    /// not a free way to throw a guess away); then the call's attempt goes. A SIP source's count stays for its next
    /// call, and the station's count stays.
    /// </summary>
    public void EndScope(CodeScope scope)
    {
        Abandon(scope, "hang-up");
        if (_attempts.Remove(scope, out var attempt))
        {
            attempt.Dispose();
        }

        if (!_callerOf.Remove(scope) && !scope.IsKeypad)
        {
            // A call that was its own caller cannot call again: its count has nothing left to guard.
            _callers.Remove(scope.ToString());
        }
    }

    public void Dispose()
    {
        _keypadLockoutEnd.Dispose();
        _stationLockoutEnd.Dispose();
        foreach (var attempt in _attempts.Values)
        {
            attempt.Dispose();
        }

        _attempts.Clear();
    }

    /// <summary>The name a SIP source is counted under: an IPv4 address, or an IPv6 address's /64 (one host's share).</summary>
    internal static string SourceName(IPAddress source)
    {
        if (source.IsIPv4MappedToIPv6)
        {
            source = source.MapToIPv4();
        }

        if (source.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return source.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        source.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    private static bool IsCodeCharacter(char c) => char.IsAsciiDigit(c) || c is '*' or '#' or (>= 'A' and <= 'D');

    /// <summary>
    /// The code the attempt equals, if any. Every code is compared in full whatever the attempt (no early exit on a
    /// mismatch or on a match), so the time taken says nothing about how much of a code was right.
    /// </summary>
    private static CodeConfig? Match(ReadOnlySpan<char> typed, IReadOnlyList<CodeConfig> codes)
    {
        CodeConfig? match = null;
        foreach (var code in codes)
        {
            var digits = code.Code.AsSpan();
            var difference = typed.Length ^ digits.Length;
            for (var i = 0; i < Attempt.Capacity; i++)
            {
                var a = i < typed.Length ? typed[i] : '\0';
                var b = i < digits.Length ? digits[i] : '\0';
                difference |= a ^ b;
            }

            if (difference == 0 && match is null)
            {
                match = code;
            }
        }

        return match;
    }

    private static int MaxLength(IReadOnlyList<CodeConfig> codes)
    {
        var max = MinCodeLength;
        foreach (var code in codes)
        {
            max = Math.Max(max, code.Code.Length);
        }

        return Math.Min(max, Attempt.Capacity);
    }

    /// <summary>The shortest code's length: an attempt this long given up is a guess, and counts.</summary>
    private static int MinLength(IReadOnlyList<CodeConfig> codes)
    {
        var min = int.MaxValue;
        foreach (var code in codes)
        {
            min = Math.Min(min, code.Code.Length);
        }

        return min == int.MaxValue ? MinCodeLength : Math.Max(1, min);
    }

    private IReadOnlyList<CodeConfig> CodesOf(CodeScope scope) => scope.IsKeypad ? _keypadCodes : _callCodes;

    private string CallerOf(CodeScope scope) =>
        scope.IsKeypad ? KeypadCaller : _callerOf.TryGetValue(scope, out var source) ? source : scope.ToString();

    private Attempt AttemptOf(CodeScope scope)
    {
        if (!_attempts.TryGetValue(scope, out var attempt))
        {
            attempt = new Attempt(new StationTimer(_loop, _time, () => OnInterDigitTimeout(scope)));
            _attempts.Add(scope, attempt);
        }

        return attempt;
    }

    private FailureCount CountOf(string callerName, DateTimeOffset now)
    {
        if (_callers.TryGetValue(callerName, out var count))
        {
            return count;
        }

        if (_callers.Count >= MaxRememberedSources)
        {
            Prune(now);
        }

        count = new FailureCount();
        _callers.Add(callerName, count);
        return count;
    }

    /// <summary>
    /// Makes room in a full table: counts already forgotten go first; then the one whose lockout ended longest ago (or
    /// the one ending soonest). A dropped source starts afresh, but the station's count still holds it.
    /// </summary>
    private void Prune(DateTimeOffset now)
    {
        var forgetAfter = TimeSpan.FromSeconds(_config.ForgetAfterSeconds);
        string? oldest = null;
        var oldestUntil = DateTimeOffset.MaxValue;
        List<string>? forgotten = null;
        foreach (var (name, count) in _callers)
        {
            count.ForgetIfQuiet(now, forgetAfter);
            if (count.IsForgotten && !count.IsLockedOut(now))
            {
                (forgotten ??= []).Add(name);
            }
            else if (count.LockedUntil < oldestUntil)
            {
                oldest = name;
                oldestUntil = count.LockedUntil;
            }
        }

        if (forgotten is not null)
        {
            foreach (var name in forgotten)
            {
                _callers.Remove(name);
            }
        }
        else if (oldest is not null)
        {
            _callers.Remove(oldest);
        }
    }

    private void OnInterDigitTimeout(CodeScope scope) => Abandon(scope, "timeout");

    private void Fail(CodeScope scope, Attempt attempt, string path)
    {
        attempt.Clear();
        var now = _time.GetUtcNow();
        var forgetAfter = TimeSpan.FromSeconds(_config.ForgetAfterSeconds);
        var longest = TimeSpan.FromSeconds(_config.MaxLockoutSeconds);
        var callerName = CallerOf(scope);
        var caller = CountOf(callerName, now);
        var (number, callerLockout) = caller.Fail(now, _config.MaxFailures, TimeSpan.FromSeconds(_config.LockoutSeconds), longest, forgetAfter);
        var (stationNumber, stationLockout) = _station.Fail(now, _config.StationMaxFailures, TimeSpan.FromSeconds(_config.StationLockoutSeconds), longest, forgetAfter);
        var from = callerName == KeypadCaller || callerName == scope.ToString() ? null : callerName;
        _events.Publish(new CodeRejected(path, scope.ToString(), from, number, _config.MaxFailures, stationNumber, _config.StationMaxFailures));

        if (callerLockout > TimeSpan.Zero)
        {
            if (callerName == KeypadCaller)
            {
                Interlocked.Exchange(ref _keypadLockedUntilTicks, caller.LockedUntil.UtcTicks);
                _keypadLockoutEnd.Start(caller.LockedUntil - now);
            }

            _events.Publish(new CodeLockedOut(callerName, Seconds(callerLockout), _config.MaxFailures, caller.Lockouts));
        }

        if (stationLockout > TimeSpan.Zero)
        {
            Interlocked.Exchange(ref _stationLockedUntilTicks, _station.LockedUntil.UtcTicks);
            _stationLockoutEnd.Start(_station.LockedUntil - now);
            _events.Publish(new CodeLockedOut(null, Seconds(stationLockout), _config.StationMaxFailures, _station.Lockouts));
        }
    }

    private static int Seconds(TimeSpan lockout) => (int)Math.Round(lockout.TotalSeconds, MidpointRounding.AwayFromZero);

    /// <summary>The digits of one attempt in progress and its inter-digit timer.</summary>
    private sealed class Attempt(StationTimer timer) : IDisposable
    {
        public const int Capacity = 16;

        private readonly char[] _digits = new char[Capacity];

        public int Length { get; private set; }

        public StationTimer Timer { get; } = timer;

        public ReadOnlySpan<char> Typed => _digits.AsSpan(0, Length);

        public void Add(char digit) => _digits[Length++] = digit;

        public void Clear()
        {
            // Overwrite, so typed digits do not linger in memory longer than needed.
            Array.Clear(_digits);
            Length = 0;
            Timer.Stop();
        }

        public void Dispose() => Timer.Dispose();
    }
}
