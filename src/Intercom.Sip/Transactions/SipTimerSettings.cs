namespace Intercom.Sip.Transactions;

/// <summary>
/// RFC 3261 timer values (§17, table 4). T1, T2 and T4 are configurable (a door station on a slow link may raise T1);
/// every other timer derives from them.
/// </summary>
public sealed record SipTimerSettings
{
    /// <summary>The defaults of RFC 3261 table 4.</summary>
    public static SipTimerSettings Default { get; } = new();

    /// <summary>RTT estimate; first retransmission interval. Default 500 ms.</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest retransmission interval for non-INVITE requests and INVITE responses. Default 4 s.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Longest time a message stays in the network. Default 5 s.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait in the client INVITE Completed state for retransmitted final responses over UDP (at least 32 s).</summary>
    public TimeSpan TimerD { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>
    /// How long an INVITE server transaction waits for the TU before sending 100 Trying itself (RFC 3261 §17.2.1).
    /// </summary>
    public TimeSpan TryingDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>64*T1: timers B, F, H, J (unreliable) and RFC 6026 L and M.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;
}
