namespace Intercom.Hardware;

/// <summary>A matrix keypad (3x4 or 4x4): rows are driven, columns are read.</summary>
/// <param name="Rows">BCM pins of the rows, top to bottom.</param>
/// <param name="Columns">BCM pins of the columns, left to right.</param>
/// <param name="Keys">The key characters row by row ("123456789*0#" for a 3x4 pad); length is rows × columns.</param>
/// <param name="ScanInterval">Time between two row scans.</param>
public sealed record KeypadLayout(IReadOnlyList<int> Rows, IReadOnlyList<int> Columns, string Keys, TimeSpan ScanInterval);
