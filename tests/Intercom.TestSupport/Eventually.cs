namespace Intercom.TestSupport;

/// <summary>
/// Waits for something another thread, process or socket makes true: polls a condition until it holds or a bounded time
/// has passed, then fails with what did not happen and, when given, the state that explains why. One helper for every
/// test project, so a bound, a poll interval and a failure message are never reinvented (seven copies had drifted apart).
/// </summary>
public static class Eventually
{
    /// <summary>The bound when a test names none: long enough for a loaded CI machine, short enough to fail visibly.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    /// <param name="what">What should happen, for the failure message ("door2 registered").</param>
    /// <param name="state">Evaluated only on failure: logs or events that explain it.</param>
    /// <param name="wake">Released by whatever may have changed the condition, to look again before the poll interval ends.</param>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? state = null,
        SemaphoreSlim? wake = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var bound = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            ThrowIfPast(deadline, what, bound, state);
            if (wake is null)
            {
                await Task.Delay(DefaultPoll);
            }
            else
            {
                await wake.WaitAsync(DefaultPoll);
            }
        }
    }

    /// <summary>
    /// Waits until an asynchronous <paramref name="condition"/> (a probe over the network) holds, trying it every
    /// <paramref name="poll"/> (default 20 ms) so a probe that costs a connection is not run in a tight loop.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? state = null,
        TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var bound = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            ThrowIfPast(deadline, what, bound, state);
            await Task.Delay(poll ?? DefaultPoll);
        }
    }

    /// <summary>
    /// The blocking form, for tests that run on a thread they must not give up (a SIP loop in caller-thread mode, a
    /// synchronous socket test): spins with <see cref="Thread.Yield"/>, which also lets a single-core machine run the
    /// thread being waited for.
    /// </summary>
    public static void Until(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? state = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var bound = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            ThrowIfPast(deadline, what, bound, state);
            Thread.Yield();
        }
    }

    private static void ThrowIfPast(DateTime deadline, string what, TimeSpan bound, Func<string>? state)
    {
        if (DateTime.UtcNow > deadline)
        {
            var detail = state is null ? string.Empty : "\n" + state();
            throw new TimeoutException($"{what} did not happen within {bound.TotalSeconds:0.###} s{detail}");
        }
    }
}
