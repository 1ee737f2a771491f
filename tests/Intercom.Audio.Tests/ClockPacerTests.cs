using System.Diagnostics;

namespace Intercom.Audio.Tests;

/// <summary>
/// The pacer of clock-paced devices. On the system clock it sleeps in one kernel wait per period (no timer, no thread-pool
/// hop), so these run on the real clock, each wait bounded. The timer path (any other TimeProvider) is what the device
/// tests on FakeTimeProvider drive.
/// </summary>
public sealed class ClockPacerTests
{
    [Fact]
    public void On_the_system_clock_periods_are_kept_from_absolute_deadlines()
    {
        using var pacer = new ClockPacer(TimeProvider.System);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 5; i++)
        {
            Assert.True(pacer.WaitPeriod(TimeSpan.FromMilliseconds(10)));
        }

        // Five 10 ms periods from the first call: never early; late only by scheduling (bounded generously for shared CI).
        Assert.InRange(watch.Elapsed.TotalMilliseconds, 49, 2000);
    }

    [Fact]
    public async Task Cancel_wakes_a_thread_sleeping_on_the_system_clock_at_once()
    {
        using var pacer = new ClockPacer(TimeProvider.System);
        using var waiting = new SemaphoreSlim(0);
        var result = Task.Run(() =>
        {
            waiting.Release();
            return pacer.WaitPeriod(TimeSpan.FromSeconds(30));
        });
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        pacer.Cancel();

        // A 30 s period: only the cancellation can end the wait within the bound.
        Assert.False(await result.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
