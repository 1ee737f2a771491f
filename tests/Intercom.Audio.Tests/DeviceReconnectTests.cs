using Microsoft.Extensions.Time.Testing;

namespace Intercom.Audio.Tests;

/// <summary>A USB card unplugged mid-call (reads fail with -ENODEV) and plugged back: the thread reopens it with backoff.</summary>
public sealed class DeviceReconnectTests
{
    private const int Enodev = -19;

    [Fact]
    public void Capture_keeps_delivering_silence_while_the_card_is_gone_and_resumes_when_it_returns()
    {
        var time = new FakeTimeProvider();
        var opens = new List<TimeSpan>();
        var start = time.GetUtcNow();

        // Open 1 works and fails after 50 periods; opens 2 and 3 fail (card absent); open 4 works.
        using var device = new TestCapture(time, () =>
        {
            opens.Add(time.GetUtcNow() - start);
            return opens.Count switch
            {
                1 => new ScriptedInput(failAfter: 50),
                2 or 3 => throw new AudioDeviceException("ALSA capture device 'test': cannot open: No such device", Enodev),
                _ => new ScriptedInput(failAfter: int.MaxValue),
            };
        });
        var collector = new FrameCollector(16000 * 10);

        device.Start(collector);
        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(20), () => collector.Frames >= 250, () => collector.Frames);
        device.Stop();

        Assert.Equal(4, opens.Count);
        Assert.Equal(1, device.DeviceLosses);

        // Retries 250 ms after the loss, then backoff: 250 ms, 500 ms.
        Assert.InRange((opens[2] - opens[1]).TotalMilliseconds, 250, 290);
        Assert.InRange((opens[3] - opens[2]).TotalMilliseconds, 500, 540);

        // The frame clock never stopped: silence while the card was gone, the card's signal (non-zero) after it returned.
        var samples = collector.Samples;
        Assert.Equal(250 * 320, samples.Length);
        Assert.All(samples[(52 * 320)..(60 * 320)].ToArray(), s => Assert.Equal(0, s));
        Assert.NotEqual(0, samples[^1]);
    }

    [Fact]
    public void Playback_keeps_pulling_frames_while_the_card_is_gone()
    {
        var time = new FakeTimeProvider();
        var opens = 0;
        using var device = new TestPlayback(time, () => ++opens switch
        {
            1 => new ScriptedOutput(failAfter: 10),
            2 => throw new AudioDeviceException("ALSA playback device 'test': cannot open: No such device", Enodev),
            _ => new ScriptedOutput(failAfter: int.MaxValue),
        });
        var provider = new CountingProvider();

        device.Start(provider);
        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(20), () => provider.Frames >= 100, () => provider.Frames);
        device.Stop();

        Assert.Equal(3, opens);
        Assert.Equal(1, device.DeviceLosses);
    }

    private sealed class ScriptedInput(int failAfter) : IPcmInput
    {
        private int reads;

        public int SampleRate => 16000;

        public int PeriodFrames => 320;

        public bool PacesItself => false;

        public int Read(Span<short> period, int timeoutMs)
        {
            if (++reads > failAfter)
            {
                return Enodev;
            }

            period.Fill(1000);
            return period.Length;
        }

        public void Dispose()
        {
        }
    }

    private sealed class ScriptedOutput(int failAfter) : IPcmOutput
    {
        private int writes;

        public int SampleRate => 16000;

        public int PeriodFrames => 320;

        public bool PacesItself => false;

        public int QueuedFrames => 0;

        public int WaitReady(int timeoutMs) => 1;

        public int Write(ReadOnlySpan<short> period, int timeoutMs) => ++writes > failAfter ? Enodev : period.Length;

        public void Dispose()
        {
        }
    }

    private sealed class CountingProvider : IAudioFrameProvider
    {
        private long frames;

        public long Frames => Interlocked.Read(ref frames);

        public void ReadFrame(Span<short> frame)
        {
            frame.Clear();
            Interlocked.Increment(ref frames);
        }
    }
}
