namespace Intercom.Station.Logging;

/// <summary>
/// Which events a bounded log keeps. Outsiders can make the station log call traffic as fast as they can send INVITEs
/// (refused or not), ring the bell or dial at the keypad; a plain ring of the newest events would let such a flood push
/// a door opening, a lockout or a tamper alarm out of the log within seconds. So traffic (<see cref="IsTraffic"/>) may
/// use the whole log only while nothing else needs the room: once the log is full and traffic holds more than half of
/// it, traffic makes room by dropping its own oldest entry. However long a flood lasts, the newest half of the log's
/// capacity in door, relay, code, lockout, tamper, registration and station events stays. Not thread-safe.
/// </summary>
internal sealed class EventRetention
{
    private readonly Queue<StationEvent> _records = new();
    private readonly Queue<StationEvent> _traffic = new();
    private readonly int _capacity;
    private readonly int _trafficShare;

    public EventRetention(int capacity)
    {
        _capacity = Math.Max(1, capacity);
        _trafficShare = Math.Max(1, _capacity / 2);
    }

    public int Count => _records.Count + _traffic.Count;

    /// <summary>Kinds an outsider can produce at will: calls and their refusals, bell presses, keypad dialling.</summary>
    public static bool IsTraffic(StationEventKind kind) =>
        kind is StationEventKind.Incoming or StationEventKind.Call or StationEventKind.Button or StationEventKind.Keypad;

    /// <summary>Keeps <paramref name="entry"/> (newer than every entry kept) and drops what no longer fits.</summary>
    public void Add(StationEvent entry)
    {
        (IsTraffic(entry.Kind) ? _traffic : _records).Enqueue(entry);
        while (Count > _capacity)
        {
            if (_traffic.Count > _trafficShare || _records.Count == 0)
            {
                _traffic.Dequeue();
            }
            else if (_traffic.Count == 0 || _records.Peek().Sequence < _traffic.Peek().Sequence)
            {
                _records.Dequeue();
            }
            else
            {
                _traffic.Dequeue();
            }
        }
    }

    /// <summary>The kept events, oldest first.</summary>
    public StationEvent[] Snapshot()
    {
        var result = new StationEvent[Count];
        using var records = _records.GetEnumerator();
        using var traffic = _traffic.GetEnumerator();
        var hasRecord = records.MoveNext();
        var hasTraffic = traffic.MoveNext();
        for (var i = 0; i < result.Length; i++)
        {
            if (hasRecord && (!hasTraffic || records.Current.Sequence < traffic.Current.Sequence))
            {
                result[i] = records.Current;
                hasRecord = records.MoveNext();
            }
            else
            {
                result[i] = traffic.Current;
                hasTraffic = traffic.MoveNext();
            }
        }

        return result;
    }

    /// <summary>What a log of <paramref name="capacity"/> would keep of these events (the persisted tail).</summary>
    public StationEvent[] Newest(int capacity)
    {
        var tail = new EventRetention(capacity);
        foreach (var entry in Snapshot())
        {
            tail.Add(entry);
        }

        return tail.Snapshot();
    }
}
