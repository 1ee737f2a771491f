namespace Intercom.Station.Codes;

/// <summary>
/// The wrong codes of one caller (the keypad, a SIP source, a call) or of the whole station, and the lockouts they
/// caused. Every <c>limit</c>-th wrong code starts a lockout; each lockout lasts twice as long as the one before, up to
/// a longest; the count and the doubling are forgotten only after a quiet period (no wrong code, no lockout in force).
/// Nothing else clears them — not a right code, not a new call — so an attacker gains nothing by interleaving with a
/// resident or by calling again. Loop thread only.
/// </summary>
internal sealed class FailureCount
{
    private DateTimeOffset _lastFailure;

    /// <summary>Wrong codes since the last lockout (or since they were forgotten).</summary>
    public int Failures { get; private set; }

    /// <summary>Lockouts since the count was last forgotten: the next one lasts 2^Lockouts times the first.</summary>
    public int Lockouts { get; private set; }

    /// <summary>When the current (or last) lockout ends.</summary>
    public DateTimeOffset LockedUntil { get; private set; }

    /// <summary>Whether an ignored entry during the current lockout has been logged (once per lockout).</summary>
    public bool LockoutNoticed { get; set; }

    /// <summary>True when nothing is remembered any more: the entry may be dropped.</summary>
    public bool IsForgotten => Failures == 0 && Lockouts == 0;

    public bool IsLockedOut(DateTimeOffset now) => now < LockedUntil;

    /// <summary>Forgets the count and the doubling once <paramref name="forgetAfter"/> has passed quietly.</summary>
    public void ForgetIfQuiet(DateTimeOffset now, TimeSpan forgetAfter)
    {
        var quietSince = _lastFailure > LockedUntil ? _lastFailure : LockedUntil;
        if (now - quietSince >= forgetAfter)
        {
            Failures = 0;
            Lockouts = 0;
        }
    }

    /// <summary>Counts one wrong code.</summary>
    /// <param name="now">The clock.</param>
    /// <param name="limit">Wrong codes that start a lockout.</param>
    /// <param name="first">The first lockout's length.</param>
    /// <param name="longest">The cap on a doubled lockout (a longer <paramref name="first"/> stays as it is).</param>
    /// <param name="forgetAfter">The quiet period after which earlier wrong codes no longer count.</param>
    /// <returns>This wrong code's number in the count (1..limit), and the lockout it started (zero for none).</returns>
    public (int Number, TimeSpan Lockout) Fail(DateTimeOffset now, int limit, TimeSpan first, TimeSpan longest, TimeSpan forgetAfter)
    {
        ForgetIfQuiet(now, forgetAfter);
        _lastFailure = now;
        var number = ++Failures;
        if (number < limit)
        {
            return (number, TimeSpan.Zero);
        }

        var lockout = Doubled(first, Lockouts, longest);
        Failures = 0;
        Lockouts++;
        LockedUntil = now + lockout;
        LockoutNoticed = false;
        return (number, lockout);
    }

    private static TimeSpan Doubled(TimeSpan first, int times, TimeSpan longest)
    {
        // A first lockout longer than the cap is kept as configured (it is then never doubled).
        longest = longest > first ? longest : first;
        var lockout = first;
        for (var i = 0; i < times && lockout < longest; i++)
        {
            lockout += lockout;
        }

        return lockout < longest ? lockout : longest;
    }
}
