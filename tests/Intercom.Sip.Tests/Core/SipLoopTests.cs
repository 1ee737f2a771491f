using Intercom.Sip.Core;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Sip.Tests.Core;

public class SipLoopTests
{
    [Fact]
    public void CallerThread_mode_runs_work_posted_from_the_owner_thread_at_once()
    {
        using var loop = new SipLoop(new FakeTimeProvider(), SipLoopMode.CallerThread);
        var ran = 0;
        loop.Post(() => ran++);
        Assert.Equal(1, ran);
        Assert.True(loop.IsOnLoop);
    }

    [Fact]
    public void CallerThread_mode_queues_work_from_other_threads_until_RunPending()
    {
        using var loop = new SipLoop(new FakeTimeProvider(), SipLoopMode.CallerThread);
        var ran = 0;
        var other = new Thread(() => loop.Post(() => ran++));
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, ran);
        Assert.Equal(1, loop.RunPending());
        Assert.Equal(1, ran);
    }

    [Fact]
    public void Work_posted_while_running_runs_after_the_current_item_not_inside_it()
    {
        using var loop = new SipLoop(new FakeTimeProvider(), SipLoopMode.CallerThread);
        var order = new List<string>();
        loop.Post(() =>
        {
            loop.Post(() => order.Add("inner"));
            order.Add("outer");
        });
        Assert.Equal(["outer", "inner"], order);
    }

    [Fact]
    public void Timer_fires_on_the_loop_when_the_fake_clock_reaches_it()
    {
        var time = new FakeTimeProvider();
        using var loop = new SipLoop(time, SipLoopMode.CallerThread);
        var fired = 0;
        using var timer = loop.CreateTimer(_ => fired++, null);
        timer.Start(TimeSpan.FromMilliseconds(500));
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, fired);
        Assert.False(timer.IsRunning);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void Cancelled_timer_never_fires_even_if_its_tick_was_already_queued()
    {
        var time = new FakeTimeProvider();
        using var loop = new SipLoop(time, SipLoopMode.CallerThread);
        var fired = 0;
        using var timer = loop.CreateTimer(_ => fired++, null);
        using var canceller = loop.CreateTimer(_ => timer.Cancel(), null);

        // Both due at the same instant: whichever tick is queued second must see the cancel.
        canceller.Start(TimeSpan.FromMilliseconds(100));
        timer.Start(TimeSpan.FromMilliseconds(100));
        loop.Post(() => time.Advance(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(0, fired);
    }

    [Fact]
    public void Restarted_timer_fires_once_at_the_new_time()
    {
        var time = new FakeTimeProvider();
        using var loop = new SipLoop(time, SipLoopMode.CallerThread);
        var fired = 0;
        using var timer = loop.CreateTimer(_ => fired++, null);
        timer.Start(TimeSpan.FromMilliseconds(100));
        timer.Start(TimeSpan.FromMilliseconds(300));
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void Timer_restarted_from_its_callback_during_one_long_advance_fires_at_each_step()
    {
        // Retransmission timers re-arm themselves; stepping the clock walks every step in order.
        var time = new FakeTimeProvider();
        using var loop = new SipLoop(time, SipLoopMode.CallerThread);
        var start = time.GetUtcNow();
        var fireTimes = new List<TimeSpan>();
        SipTimer? timer = null;
        timer = loop.CreateTimer(_ =>
        {
            fireTimes.Add(time.GetUtcNow() - start);
            if (fireTimes.Count < 3)
            {
                timer!.Start(TimeSpan.FromMilliseconds(100));
            }
        }, null);
        timer.Start(TimeSpan.FromMilliseconds(100));
        time.Step(TimeSpan.FromSeconds(1));
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300)], fireTimes);
        timer.Dispose();
    }

    [Fact]
    public void Dedicated_thread_runs_posted_work_off_the_caller_thread()
    {
        using var loop = new SipLoop(TimeProvider.System);
        using var done = new ManualResetEventSlim();
        var onLoop = false;
        loop.Post(() =>
        {
            onLoop = loop.IsOnLoop;
            done.Set();
        });
        Assert.True(done.Wait(TimeSpan.FromSeconds(5)));
        Assert.True(onLoop);
        Assert.False(loop.IsOnLoop);
    }

    [Fact]
    public void An_exception_in_one_item_is_reported_and_the_loop_goes_on()
    {
        using var loop = new SipLoop(new FakeTimeProvider(), SipLoopMode.CallerThread);
        Exception? reported = null;
        loop.UnhandledException = ex => reported = ex;
        var ran = false;
        loop.Post(() => throw new InvalidOperationException("bug"));
        loop.Post(() => ran = true);
        Assert.IsType<InvalidOperationException>(reported);
        Assert.True(ran);
    }
}
