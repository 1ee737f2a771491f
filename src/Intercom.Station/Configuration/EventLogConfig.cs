namespace Intercom.Station.Configuration;

/// <summary>The station's event log.</summary>
public sealed class EventLogConfig
{
    /// <summary>Events kept in memory (the web page shows these).</summary>
    public int Capacity { get; set; } = 500;

    /// <summary>File keeping the tail across restarts; null or empty keeps nothing on disk.</summary>
    public string? PersistPath { get; set; } = "/var/lib/intercom/events.log";

    /// <summary>Events written to the file (the newest).</summary>
    public int PersistCount { get; set; } = 200;

    /// <summary>
    /// The file is rewritten at most this often, in seconds, and only when something was logged: an SD card
    /// sees a few writes an hour, not one per event.
    /// </summary>
    public int FlushIntervalSeconds { get; set; } = 300;
}
