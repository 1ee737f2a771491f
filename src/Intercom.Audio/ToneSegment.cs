namespace Intercom.Audio;

/// <summary>One step of a tone pattern: up to two frequencies (0 = unused) for a duration; both 0 is a pause.</summary>
internal readonly record struct ToneSegment(float FrequencyA, float FrequencyB, int DurationMs);
