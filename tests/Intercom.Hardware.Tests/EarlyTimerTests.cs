namespace Intercom.Hardware.Tests;

/// <summary>
/// A system timer may fire a little before the wall clock says its time has come (the two clocks differ). The relay
/// must then wait for the rest of its pulse, never stay energised for good: found by the end-to-end door test.
/// </summary>
public sealed class EarlyTimerTests
{
    [Fact]
    public void A_timer_that_fires_early_is_re_armed_and_the_relay_still_releases()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var board = new SimulatedBoard(new BoardLayout
        {
            Relays = [new RelayLayout("door", 23, false, TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(5000))],
        }, time);

        board.OpenRelay("door");
        var timer = time.Timers.Single(t => t.Due == TimeSpan.FromMilliseconds(1000));

        // The callback runs 2 ms before the pulse's end by the wall clock.
        time.Now += TimeSpan.FromMilliseconds(998);
        timer.Fire();
        Assert.True(board.IsRelayEnergised("door"));
        Assert.Equal(TimeSpan.FromMilliseconds(2), timer.Due);

        time.Now += TimeSpan.FromMilliseconds(2);
        timer.Fire();
        Assert.False(board.IsRelayEnergised("door"));
    }

    private sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public List<ManualTimer> Timers { get; } = [];

        public override DateTimeOffset GetUtcNow() => Now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(callback, state) { Due = dueTime };
            Timers.Add(timer);
            return timer;
        }
    }

    private sealed class ManualTimer(TimerCallback callback, object? state) : ITimer
    {
        public TimeSpan Due { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime;
            return true;
        }

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
