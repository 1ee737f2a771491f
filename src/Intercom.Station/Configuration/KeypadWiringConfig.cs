namespace Intercom.Station.Configuration;

/// <summary>How a matrix keypad is wired: rows driven, columns read with pull-downs.</summary>
public sealed class KeypadWiringConfig
{
    /// <summary>BCM pins of the rows, top to bottom.</summary>
    public List<int> Rows { get; set; } = [.. DefaultPinMap.KeypadRows];

    /// <summary>BCM pins of the columns, left to right.</summary>
    public List<int> Columns { get; set; } = [.. DefaultPinMap.KeypadColumns];

    /// <summary>Key characters row by row: "123456789*0#" (3x4) or "123A456B789C*0#D" (4x4).</summary>
    public string Keys { get; set; } = "123456789*0#";

    /// <summary>Milliseconds between two row scans.</summary>
    public int ScanIntervalMs { get; set; } = 15;
}
