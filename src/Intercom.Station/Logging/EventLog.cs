using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Microsoft.Extensions.Logging;
using System.Globalization;
using System.Text;

namespace Intercom.Station.Logging;

/// <summary>
/// The station's event log: the last <c>Capacity</c> events in memory, and the newest <c>PersistCount</c> kept
/// on disk across restarts — where call traffic (incoming calls and their refusals, calls, bell presses, keypad
/// dialling) may take at most half of either once it is full, so a flood of refused INVITEs cannot push a door
/// opening or a lockout out of the log (<see cref="EventRetention"/>). To spare the SD card the file is rewritten at most once per flush interval and only
/// when something was logged (plus once on dispose); each rewrite is atomic (write a temp file, fsync, rename), so
/// a power cut leaves either the old or the new tail, never a torn one. Thread-safe.
/// </summary>
public sealed class EventLog : IDisposable
{
    private const int MaxMessageLength = 500;
    private const long MaxFileBytes = 4 * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Lock _fileGate = new();
    private readonly EventLogConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EventRetention _kept;
    private readonly ITimer _flushTimer;
    private long _nextSequence = 1;
    private bool _dirty;
    private bool _flushScheduled;
    private bool _disposed;

    /// <summary>Creates the log and loads the persisted tail, if any.</summary>
    public EventLog(EventLogConfig config, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        _config = config;
        _time = time;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _kept = new EventRetention(config.Capacity);
        _flushTimer = time.CreateTimer(static s => ((EventLog)s!).Flush(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Load();
    }

    /// <summary>Raised after an event is appended (on the appending thread), for the web page, MQTT and webhooks.</summary>
    public event EventHandler<StationEvent>? Appended;

    /// <summary>Number of times the persisted file was rewritten (an SD-card wear figure).</summary>
    public int FileWrites { get; private set; }

    /// <summary>Appends an event. The message must not contain secrets (codes, passwords).</summary>
    public StationEvent Append(StationEventKind kind, string message) => Append(kind, message, null);

    /// <summary>Appends the line written from a typed event, keeping the event with it (in memory) for the page.</summary>
    public StationEvent Append(StationEventKind kind, string message, DoorStationEvent? detail)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length > MaxMessageLength)
        {
            message = message[..MaxMessageLength];
        }

        StationEvent entry;
        bool schedule = false;
        lock (_gate)
        {
            entry = new StationEvent(_nextSequence++, _time.GetUtcNow(), kind, message, detail);
            AddLocked(entry);
            _dirty = true;
            if (!_flushScheduled && !_disposed && HasFile)
            {
                _flushScheduled = true;
                schedule = true;
            }
        }

        if (schedule)
        {
            _flushTimer.Change(TimeSpan.FromSeconds(Math.Max(1, _config.FlushIntervalSeconds)), Timeout.InfiniteTimeSpan);
        }

        _logger.LogInformation("{Kind}: {Message}", kind, message);
        Appended?.Invoke(this, entry);
        return entry;
    }

    /// <summary>The events in memory, oldest first.</summary>
    public IReadOnlyList<StationEvent> Snapshot()
    {
        lock (_gate)
        {
            return _kept.Snapshot();
        }
    }

    /// <summary>Writes the tail now if anything changed since the last write.</summary>
    public void Flush()
    {
        if (!HasFile)
        {
            return;
        }

        StationEvent[] tail;
        lock (_gate)
        {
            _flushScheduled = false;
            if (!_dirty)
            {
                return;
            }

            _dirty = false;
            tail = _kept.Newest(_config.PersistCount);
        }

        lock (_fileGate)
        {
            WriteAtomically(_config.PersistPath!, tail);
        }
    }

    /// <summary>Writes pending events and stops the flush timer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _flushTimer.Dispose();
        Flush();
    }

    private bool HasFile => !string.IsNullOrEmpty(_config.PersistPath) && _config.PersistCount > 0;

    private void AddLocked(StationEvent entry) => _kept.Add(entry);

    private void WriteAtomically(string path, StationEvent[] tail)
    {
        var temp = path + ".tmp";
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var text = new StringBuilder(tail.Length * 80);
            foreach (var e in tail)
            {
                text.Append(e.Sequence.ToString(CultureInfo.InvariantCulture)).Append('\t')
                    .Append(e.At.ToString("O", CultureInfo.InvariantCulture)).Append('\t')
                    .Append(e.Kind.ToString()).Append('\t');
                Escape(text, e.Message);
                text.Append('\n');
            }

            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
            {
                var bytes = Encoding.UTF8.GetBytes(text.ToString());
                stream.Write(bytes);

                // fsync before the rename: otherwise a power cut can leave the new name on an empty file.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            FileWrites++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("event log: cannot write {Path}: {Error}", path, e.Message);
        }
    }

    private void Load()
    {
        var path = _config.PersistPath;
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxFileBytes)
            {
                return;
            }

            foreach (var line in File.ReadLines(path, Encoding.UTF8))
            {
                // Kept in sequence order only (an edited file's stray line is skipped): the log merges by sequence.
                if (TryParseLine(line, out var entry) && entry.Sequence >= _nextSequence)
                {
                    lock (_gate)
                    {
                        AddLocked(entry);
                        _nextSequence = Math.Max(_nextSequence, entry.Sequence + 1);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("event log: cannot read {Path}: {Error}", path, e.Message);
        }
    }

    private static bool TryParseLine(string line, out StationEvent entry)
    {
        entry = null!;
        var parts = line.Split('\t', 4);
        if (parts.Length != 4
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || !DateTimeOffset.TryParseExact(parts[1], "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            || !Enum.TryParse<StationEventKind>(parts[2], ignoreCase: false, out var kind) || !Enum.IsDefined(kind))
        {
            return false;
        }

        entry = new StationEvent(sequence, at, kind, Unescape(parts[3]));
        return true;
    }

    private static void Escape(StringBuilder text, string message)
    {
        foreach (var c in message)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '\t' => text.Append("\\t"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                _ => text.Append(c),
            };
        }
    }

    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                text.Append(value[i] switch { 't' => '\t', 'n' => '\n', 'r' => '\r', _ => value[i] });
            }
            else
            {
                text.Append(value[i]);
            }
        }

        return text.ToString();
    }
}
