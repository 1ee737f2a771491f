namespace Intercom.Station.Configuration;

/// <summary>
/// A weekly time window in the station's local time. <c>From</c> after <c>To</c> spans midnight
/// ("22:00"–"06:00" on "mon-fri" is active Monday 22:00 to Tuesday 06:00, …, Friday 22:00 to Saturday 06:00);
/// equal times mean the whole day.
/// </summary>
public sealed class ScheduleConfig
{
    /// <summary>Id referenced by buttons.</summary>
    public string Id { get; set; } = "";

    /// <summary>Days the window starts on: "mon-fri", "sat,sun", "mon,wed-fri", "daily".</summary>
    public string Days { get; set; } = "daily";

    /// <summary>Start, "HH:mm" (24 h).</summary>
    public string From { get; set; } = "00:00";

    /// <summary>End (exclusive), "HH:mm" (24 h).</summary>
    public string To { get; set; } = "00:00";

    /// <summary>
    /// Relays (mode Hold) held open while this window is active — a shop's door during its opening hours — and released
    /// when it ends. A release by hand during the window lasts until the window's next start.
    /// </summary>
    public List<string> HoldRelays { get; set; } = [];
}
