namespace Intercom.Dsp;

/// <summary>One step of a tone cadence: up to two frequencies (0 = none; both 0 = silence) for a duration at a level.</summary>
/// <param name="Frequency1">First frequency in Hz.</param>
/// <param name="Frequency2">Second frequency in Hz, or 0.</param>
/// <param name="DurationMs">Length of the step.</param>
/// <param name="LevelDbm0">Level of each frequency in dBm0 (3.14 dBm0 is a full-scale µ-law sine).</param>
public readonly record struct ToneSegment(double Frequency1, double Frequency2, int DurationMs, double LevelDbm0 = -13);
