using Intercom.Station.Configuration;
using Intercom.Station.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Station.Tests;

public sealed class EventLogTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "intercom-eventlog-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string FilePath => Path.Combine(_dir, "events.log");

    private EventLogConfig Config(int capacity = 100, int persist = 50, int flushSeconds = 60) =>
        new() { Capacity = capacity, PersistCount = persist, PersistPath = FilePath, FlushIntervalSeconds = flushSeconds };

    [Fact]
    public void Memory_is_bounded_to_the_newest_events()
    {
        using var log = new EventLog(new EventLogConfig { Capacity = 10, PersistPath = null }, _time);

        for (var i = 1; i <= 25; i++)
        {
            log.Append(StationEventKind.Button, $"press {i}");
        }

        var events = log.Snapshot();
        Assert.Equal(10, events.Count);
        Assert.Equal("press 16", events[0].Message);
        Assert.Equal(25, events[^1].Sequence);
    }

    [Fact]
    public void Writes_are_batched_to_one_per_flush_interval()
    {
        using var log = new EventLog(Config(flushSeconds: 60), _time);

        for (var i = 0; i < 30; i++)
        {
            log.Append(StationEventKind.Door, "door opened");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // 30 events over 30 s: nothing written yet.
        Assert.False(File.Exists(FilePath));
        Assert.Equal(0, log.FileWrites);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, log.FileWrites);

        // Quiet: no further writes.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, log.FileWrites);
    }

    [Fact]
    public void Tail_survives_a_restart_and_numbering_continues()
    {
        using (var log = new EventLog(Config(persist: 3), _time))
        {
            for (var i = 1; i <= 5; i++)
            {
                log.Append(StationEventKind.Call, $"call {i}\twith tab\nand newline");
            }
        }

        using var reopened = new EventLog(Config(persist: 3), _time);
        var events = reopened.Snapshot();

        Assert.Equal([3L, 4L, 5L], events.Select(e => e.Sequence));
        Assert.Equal("call 5\twith tab\nand newline", events[^1].Message);
        Assert.Equal(StationEventKind.Call, events[^1].Kind);
        Assert.Equal(6, reopened.Append(StationEventKind.Station, "started").Sequence);
    }

    [Fact]
    public void File_is_replaced_atomically_and_stays_bounded()
    {
        using (var log = new EventLog(Config(persist: 20), _time))
        {
            for (var i = 0; i < 500; i++)
            {
                log.Append(StationEventKind.Relay, "door energised");
            }

            log.Flush();
            log.Append(StationEventKind.Relay, "door released");
        }

        Assert.Equal(20, File.ReadAllLines(FilePath).Length);
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Fact]
    public void Damaged_lines_are_skipped_on_load()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(FilePath,
            "7\t2026-01-05T11:00:00.0000000+00:00\tDoor\tdoor opened\n" +
            "garbage\n" +
            "8\tnot-a-date\tDoor\tx\n" +
            "9\t2026-01-05T11:01:00.0000000+00:00\tNoSuchKind\tx\n" +
            "10\t2026-01-05T11:02:00.0000000+00:00\tDoor\tdoor closed");

        using var log = new EventLog(Config(), _time);

        Assert.Equal([7L, 10L], log.Snapshot().Select(e => e.Sequence));
    }

    [Fact]
    public void Unwritable_path_does_not_throw()
    {
        Directory.CreateDirectory(_dir);
        var blocker = Path.Combine(_dir, "file");
        File.WriteAllText(blocker, "x");
        using var log = new EventLog(new EventLogConfig { PersistPath = Path.Combine(blocker, "events.log"), PersistCount = 10 }, _time);

        log.Append(StationEventKind.Station, "started");
        log.Flush();

        Assert.Equal(0, log.FileWrites);
    }
}
