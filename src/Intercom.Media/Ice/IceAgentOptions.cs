namespace Intercom.Media.Ice;

/// <summary>The timers of an <see cref="IceAgent"/> (RFC 8445 §14, RFC 7675 §5.1) and its local credentials.</summary>
public sealed record IceAgentOptions
{
    /// <summary>Our ufrag and password as the SDP carries them; new random ones when null.</summary>
    public IceCredentials? Credentials { get; init; }

    /// <summary>The role we start in: the offerer controls (RFC 8445 §6.1.1).</summary>
    public IceRole Role { get; init; } = IceRole.Controlling;

    /// <summary>The role conflict tie-breaker (RFC 8445 §7.1.1); zero: a random 64-bit number.</summary>
    public ulong TieBreaker { get; init; }

    /// <summary>Ta, the pacing of new checks (RFC 8445 §14.2: 50 ms by default for a real-time stream).</summary>
    public TimeSpan Pacing { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A check's first retransmission timeout; it doubles up to <see cref="MaxCheckRto"/> (RFC 8445 §14.3: at least 500 ms).</summary>
    public TimeSpan CheckRto { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The largest retransmission timeout of a check: with 7 requests and the last wait one RTO, a check fails after
    /// 0.5 + 1 + 1.6 × 5 = 9.5 s rather than RFC 8489's 39.5 s, so a dead pair does not hold the call's setup for long.
    /// </summary>
    public TimeSpan MaxCheckRto { get; init; } = TimeSpan.FromMilliseconds(1600);

    /// <summary>Requests per check, the first included (RFC 8489 §6.2.1's Rc).</summary>
    public int CheckRequestCount { get; init; } = 7;

    /// <summary>
    /// The controlling agent nominates the best valid pair once no better pair is still being checked, or this long
    /// after the first pair succeeded, whichever comes first (RFC 8445 §8.1.1 leaves the moment to the agent).
    /// </summary>
    public TimeSpan NominationWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>No pair selected this long after the checks began: ICE failed (the call should end or fall back).</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>RFC 7675 §5.1: a consent check every 5 s on average, each interval randomised to 0.8–1.2 times it.</summary>
    public TimeSpan ConsentInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>RFC 7675 §5.1: consent expires this long after the last authenticated response (30 s).</summary>
    public TimeSpan ConsentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>RFC 8445 §6.1.2.5: the most pairs checked.</summary>
    public int MaxPairs { get; init; } = IceCheckList.DefaultMaxPairs;

    /// <summary>The most remote candidates held (the SDP's and peer-reflexive ones learned from checks): bounds a hostile peer.</summary>
    public int MaxRemoteCandidates { get; init; } = 32;

    /// <summary>Clock of every timer.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
