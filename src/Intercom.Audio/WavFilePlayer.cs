using Microsoft.Extensions.Logging;

namespace Intercom.Audio;

/// <summary>A simulated speaker that records what it plays into a mono 16-bit WAV file, in real time by the clock.</summary>
public sealed class WavFilePlayer(string path, int sampleRate, int periodMs, TimeProvider? time = null, ILogger? logger = null)
    : AudioPlaybackDevice($"WAV playback file '{path}'", sampleRate, periodMs, time, logger)
{
    internal override IPcmOutput OpenOutput()
    {
        try
        {
            return new Output(new WavFileWriter(path, SampleRate), FrameSamples);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioDeviceException($"{Name}: {e.Message}", e);
        }
    }

    private sealed class Output(WavFileWriter writer, int periodFrames) : IPcmOutput
    {
        // Rewrite the header about once a second so the file is readable while it grows.
        private readonly int flushEvery = Math.Max(1, writer.SampleRate / periodFrames);
        private int sinceFlush;

        public int SampleRate => writer.SampleRate;

        public int PeriodFrames { get; } = periodFrames;

        public bool PacesItself => false;

        public int QueuedFrames => 0;

        public int WaitReady(int timeoutMs) => 1;

        public int Write(ReadOnlySpan<short> period, int timeoutMs)
        {
            try
            {
                writer.Append(period);
                if (++sinceFlush >= flushEvery)
                {
                    sinceFlush = 0;
                    writer.Flush();
                }
            }
            catch (IOException)
            {
                return -5; // EIO (disk full, file removed): treated like a lost device, reopened later.
            }

            return period.Length;
        }

        public void Dispose() => writer.Dispose();
    }
}
