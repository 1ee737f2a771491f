using Intercom.Configuration;
using Intercom.Station;
using Intercom.Station.Logging;
using Intercom.Web.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Web.Tests;

/// <summary>
/// The event stream's status poll runs only while somebody watches: an idle station with no page open is not woken twice a
/// second (it was the unexplained 500 ms wake-up of the performance section).
/// </summary>
public sealed class EventStreamPollTests
{
    [Fact]
    public async Task The_status_is_polled_only_while_a_client_is_connected()
    {
        var time = new WatchedClock();
        var station = new CountingStation();
        using var stream = new EventStream(station, time);

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, station.StatusReads);
        Assert.False(time.AnyTimerArmed);

        using var leave = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestAborted = leave.Token };
        context.Response.Body = new MemoryStream();
        var serving = stream.ServeAsync(context, () => true);
        var readsAtConnect = station.StatusReads; // the status sent at once
        Assert.Equal(1, readsAtConnect);
        Assert.True(time.AnyTimerArmed);

        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(readsAtConnect + 1, station.StatusReads);
        time.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(readsAtConnect + 3, station.StatusReads);

        await leave.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(time.AnyTimerArmed);
        var readsAtLeave = station.StatusReads;
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(readsAtLeave, station.StatusReads);
    }

    /// <summary>A fake clock that also says whether any of its timers is armed (a disarmed timer wakes nobody).</summary>
    private sealed class WatchedClock : FakeTimeProvider
    {
        private readonly List<WatchedTimer> _timers = [];

        public bool AnyTimerArmed
        {
            get
            {
                lock (_timers)
                {
                    return _timers.Exists(t => t.Armed);
                }
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new WatchedTimer(base.CreateTimer(callback, state, dueTime, period), dueTime != Timeout.InfiniteTimeSpan);
            lock (_timers)
            {
                _timers.Add(timer);
            }

            return timer;
        }

        private sealed class WatchedTimer(ITimer inner, bool armed) : ITimer
        {
            public bool Armed { get; private set; } = armed;

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                Armed = dueTime != Timeout.InfiniteTimeSpan;
                return inner.Change(dueTime, period);
            }

            public void Dispose()
            {
                Armed = false;
                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    private sealed class CountingStation : IStationControl
    {
        private int _statusReads;

        public event EventHandler<StationEvent>? EventAppended
        {
            add { }
            remove { }
        }

        public int StatusReads => Volatile.Read(ref _statusReads);

        public IntercomConfig Config => throw new NotSupportedException();

        public bool IsSimulated => true;

        public StationView GetStatus()
        {
            Interlocked.Increment(ref _statusReads);
            return new StationView("door", StationCallState.Idle, [], [], new InputsView(false, false, false), [], true, []);
        }

        public IReadOnlyList<StationEvent> GetEvents() => [];

        public bool OpenRelay(string relayId, string requestedBy) => throw new NotSupportedException();

        public void Dial(string target, string requestedBy) => throw new NotSupportedException();

        public void HangUp(string requestedBy) => throw new NotSupportedException();

        public bool PressButton(string buttonId) => throw new NotSupportedException();

        public Task<ConfigChangeResult> ApplyConfigAsync(IntercomConfig config) => throw new NotSupportedException();
    }
}
