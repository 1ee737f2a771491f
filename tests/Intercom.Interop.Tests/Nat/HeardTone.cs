using System.Globalization;
using Intercom.Interop.Tests.Media;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// What one side of a call heard of the other's tone, measured as the media tests measure it (AudioCheck): how long
/// the last stretch of sound lasted, the frequency it peaked at, the tone's share of its energy in 40 ms windows, and
/// the level of the whole recording (silence when no RTP came: the jitter buffer plays zeros).
/// </summary>
public sealed record HeardTone(double Frequency, double SoundSeconds, double PeakHz, double MedianShare, double SteadyShare, double RecordingRms,
    double RecordingSeconds)
{
    /// <summary>
    /// The tone held for at least two seconds, at its frequency, with at least 90 % of the energy in the median window
    /// and half of it in three windows of four. Whether media gets through the NAT is the question here, not its
    /// timing (the media tests judge gaps, alone on the machine): a peer starved by a busy CI machine may drop a
    /// window or two, a NAT that drops the stream leaves nothing.
    /// </summary>
    public bool Clear => SoundSeconds >= 2 && Math.Abs(PeakHz - Frequency) <= 3 && MedianShare > 0.9 && SteadyShare > 0.75;

    /// <summary>Nothing of it: no stretch of sound a tenth of a second long and no window where the tone dominates.</summary>
    public bool Silent => SoundSeconds < 0.1 && SteadyShare < 0.05;

    public static HeardTone Measure(short[] samples, int rate, double frequency)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var recordingRms = AudioCheck.Rms(samples);
        var sound = AudioCheck.LastSound(samples, rate);
        var seconds = sound.Length / (double)rate;
        if (sound.Length < rate)
        {
            return new HeardTone(frequency, seconds, 0, 0, 0, recordingRms, samples.Length / (double)rate);
        }

        // The steady part: not the jitter buffer filling at the start nor the hang-up at the end.
        var steady = sound[(rate * 3 / 10)..^(rate * 3 / 10)];
        var peak = TestSupport.Signal.PeakFrequency(steady[..Math.Min(rate, steady.Length)], rate, frequency - 100, frequency + 100, step: 1);
        var (median, steadyShare) = AudioCheck.WindowedToneShare(steady, frequency, rate);
        return new HeardTone(frequency, seconds, peak, median, steadyShare, recordingRms, samples.Length / (double)rate);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{SoundSeconds:0.00} s of sound in {RecordingSeconds:0.00} s recorded (level {RecordingRms:0}), peak {PeakHz} Hz, {MedianShare:P1} of the energy at {Frequency} Hz (median of 40 ms windows; {SteadyShare:P1} of them above half)");
}
