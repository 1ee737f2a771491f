using Intercom.Audio;
using Intercom.TestSupport;

namespace Intercom.Web.Tests;

/// <summary>The tones of the browser tests: written as a fake microphone's WAV, and found in what the station's speaker played.</summary>
internal static class SpeakerTone
{
    /// <summary>Writes 30 s of <paramref name="hz"/> at <paramref name="rate"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, double hz, int rate)
    {
        using var writer = new WavFileWriter(path, rate);
        writer.Append(Signal.Tone(hz, rate, rate * 30, amplitude: 8000));
    }

    /// <summary>
    /// How long the WAV file the station's speaker wrote (the WAV driver) holds <paramref name="hz"/> (within 15 Hz, RMS
    /// above 300, in 40 ms windows), and how long the file is, in seconds.
    /// </summary>
    public static (double Seconds, double Total) Measure(string path, double hz)
    {
        var (samples, rate) = WavFile.Read(path);
        int window = rate / 25;
        int toneWindows = 0;
        for (int at = 0; at + window <= samples.Length; at += window)
        {
            var part = samples.AsSpan(at, window);
            if (Signal.Rms(part) > 300 && Math.Abs(Signal.PeakFrequency(part, rate, 300, 2000, step: 10) - hz) <= 15)
            {
                toneWindows++;
            }
        }

        return (toneWindows / 25.0, samples.Length / (double)rate);
    }
}
