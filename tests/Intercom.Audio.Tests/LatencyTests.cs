using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Intercom.Audio.Tests;

/// <summary>
/// Device-added latency, measured end to end in fake time over a simulated 48 kHz card (see <see cref="SimulatedCard"/>)
/// with a 16 kHz call: a click written into the speaker sink is timed when the card plays it (playback latency: speaker
/// buffer + resampler + ALSA queue) and when the microphone delivers it (capture latency: the period being filled +
/// resampler), with the speaker heard directly by the microphone. The sink is fed one frame per period, as a jitter buffer
/// would, at four phases against the card's period clock. Thread scheduling costs nothing in fake time, so this is the
/// latency the buffering design adds; a real system adds its scheduling jitter on top.
/// </summary>
public sealed class LatencyTests(ITestOutputHelper output)
{
    private const int AppRate = 16000;
    private const int CardRate = 48000;

    [Theory]
    [InlineData(10)]
    [InlineData(20)]
    public void Round_trip_through_the_devices_stays_within_three_periods(int periodMs)
    {
        var playback = new List<double>();
        var capture = new List<double>();
        for (var phase = 0; phase < 4; phase++)
        {
            Measure(periodMs, phase * periodMs / 4, playback, capture);
        }

        var total = playback.Zip(capture, (p, c) => p + c).ToList();
        output.WriteLine($"period {periodMs} ms: playback {playback.Min():F2}…{playback.Max():F2} ms (mean {playback.Average():F2}), " +
            $"capture {capture.Min():F2}…{capture.Max():F2} ms (mean {capture.Average():F2}), total {total.Min():F2}…{total.Max():F2} ms (mean {total.Average():F2})");

        // Capture: a sample waits for the rest of its period (up to one period), plus the resamplers' look-ahead (about 1 ms).
        Assert.All(capture, c => Assert.InRange(c, 0, periodMs + 1.5));

        // Playback: a frame waits in the sink until the device has room (under one period), then behind one queued period.
        Assert.All(playback, p => Assert.InRange(p, periodMs, (2 * periodMs) + 1.5));
        Assert.InRange(total.Max(), 2 * periodMs, (3 * periodMs) + 3);
    }

    private static void Measure(int periodMs, int writerPhaseMs, List<double> playbackLatency, List<double> captureLatency)
    {
        const int Seconds = 3;
        const int ClickEveryFrames = 25;
        var time = new FakeTimeProvider();
        var card = new SimulatedCard(time, CardRate, CardRate * periodMs / 1000, Seconds + 1);
        var frameSamples = AppRate * periodMs / 1000;
        var options = new AudioOptions { SampleRate = AppRate, PeriodMs = periodMs, EchoControl = EchoControl.Off, NoiseSuppression = false };
        var microphone = new TimedCollector(frameSamples, AppRate * (Seconds + 1)) { Card = card };
        using var engine = new AudioEngine(
            new TestCapture(time, card.OpenInput, AppRate, periodMs),
            new TestPlayback(time, card.OpenOutput, AppRate, periodMs),
            options);
        engine.Microphone.Start(microphone);
        var clickWrites = new List<double>();
        var frame = new short[frameSamples];

        engine.Start();
        WaitBlocked(card);
        for (var ms = 0; ms < Seconds * 1000; ms++)
        {
            if (ms >= 100 && (ms - writerPhaseMs) % periodMs == 0)
            {
                var index = (ms - writerPhaseMs) / periodMs;
                frame.AsSpan().Clear();
                if (index % ClickEveryFrames == 0 && ms < (Seconds * 1000) - 300)
                {
                    frame[0] = 20000;
                    clickWrites.Add(card.Now);
                }

                engine.Speaker.Write(frame);
            }

            card.Advance(TimeSpan.FromMilliseconds(1));
            WaitBlocked(card);
        }

        card.Shutdown();
        engine.Stop();
        Assert.Equal(0, card.Underruns);

        var air = card.Air;
        foreach (var written in clickWrites)
        {
            // Played: the peak of the click in the air within 200 ms of writing it.
            var from = (int)(written * CardRate);
            var window = air.Slice(from, CardRate / 5);
            var played = (from + PeakIndex(window)) / (double)CardRate;

            // Delivered: the frame holding the click's peak in the microphone stream.
            var micFrom = (int)(played * AppRate) - frameSamples;
            var micPeak = micFrom + PeakIndex(microphone.Samples.Slice(micFrom, AppRate / 10));
            var delivered = microphone.DeliveryTime(micPeak / frameSamples);

            playbackLatency.Add((played - written) * 1000);
            captureLatency.Add((delivered - played) * 1000);
        }

        Assert.NotEmpty(clickWrites);
    }

    private static int PeakIndex(ReadOnlySpan<short> samples)
    {
        var best = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if (Math.Abs((int)samples[i]) > Math.Abs((int)samples[best]))
            {
                best = i;
            }
        }

        Assert.True(Math.Abs((int)samples[best]) > 5000, "click not found");
        return best;
    }

    private static void WaitBlocked(SimulatedCard card) =>
        Assert.True(SpinWait.SpinUntil(() => card.Waiting == 2, TimeSpan.FromSeconds(10)), "audio threads did not settle");

    /// <summary>Keeps the microphone stream and the fake time each frame was delivered at.</summary>
    private sealed class TimedCollector(int frameSamples, int capacity) : IAudioFrameReceiver
    {
        private readonly short[] samples = new short[capacity];
        private readonly List<double> deliveries = [];
        private int count;

        public SimulatedCard? Card { get; set; }

        public ReadOnlySpan<short> Samples => samples.AsSpan(0, count);

        public double DeliveryTime(int frame) => deliveries[frame];

        public void OnFrame(ReadOnlySpan<short> frame)
        {
            frame.CopyTo(samples.AsSpan(count));
            count += frameSamples;
            deliveries.Add(Card!.Now);
        }
    }
}
