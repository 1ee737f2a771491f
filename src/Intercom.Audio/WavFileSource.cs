using Microsoft.Extensions.Logging;

namespace Intercom.Audio;

/// <summary>
/// A simulated microphone that plays a WAV file (16-bit PCM, any rate: resampled to the call's) in real time by the clock,
/// over and over or once followed by silence.
/// </summary>
public sealed class WavFileSource(string path, int sampleRate, int periodMs, bool loop = true, TimeProvider? time = null, ILogger? logger = null)
    : AudioCaptureDevice($"WAV capture file '{path}'", sampleRate, periodMs, time, logger)
{
    internal override IPcmInput OpenInput()
    {
        try
        {
            var (samples, rate) = WavFile.Read(path);
            return new Input(samples, rate, Math.Max(1, rate * PeriodMs / 1000), loop);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new AudioDeviceException($"{Name}: {e.Message}", e);
        }
    }

    private sealed class Input(short[] samples, int sampleRate, int periodFrames, bool loop) : IPcmInput
    {
        private int position;

        public int SampleRate { get; } = sampleRate;

        public int PeriodFrames { get; } = periodFrames;

        public bool PacesItself => false;

        public int Read(Span<short> period, int timeoutMs)
        {
            var filled = 0;
            while (filled < period.Length)
            {
                if (position >= samples.Length)
                {
                    if (!loop || samples.Length == 0)
                    {
                        period[filled..].Clear();
                        break;
                    }

                    position = 0;
                }

                var n = Math.Min(period.Length - filled, samples.Length - position);
                samples.AsSpan(position, n).CopyTo(period[filled..]);
                position += n;
                filled += n;
            }

            return period.Length;
        }

        public void Dispose()
        {
        }
    }
}
