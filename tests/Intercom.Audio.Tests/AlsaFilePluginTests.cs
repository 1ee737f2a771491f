using Microsoft.Extensions.Time.Testing;

namespace Intercom.Audio.Tests;

/// <summary>
/// ALSA for real, without sound hardware: capture reads a raw file through ALSA's "file" plugin (infile) over "null",
/// playback writes a raw file through "file" over "null", both from a private configuration (snd_pcm_open_lconf).
/// The null plugin never waits, so the devices are paced by a fake clock; 10 s of audio pass in each test.
/// </summary>
public sealed class AlsaFilePluginTests : IDisposable
{
    private const int Rate = 16000;
    private const int Seconds = 10;
    private readonly TempDirectory directory = new();
    private readonly FakeTimeProvider time = new();
    private readonly string config;

    public AlsaFilePluginTests()
    {
        NativeLibraries.RequireAlsa();
        config = AlsaTestConfiguration.Write(directory);
    }

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData(10)]
    [InlineData(20)]
    public void Capture_delivers_a_counter_signal_without_gaps_or_repeats(int periodMs)
    {
        var input = directory.File("ramp.raw");
        File.WriteAllBytes(input, Signals.ToRaw(Signals.RampSamples((Seconds + 1) * Rate)));
        var frames = Seconds * 1000 / periodMs;
        var collector = new FrameCollector(frames * Rate * periodMs / 1000);
        using var capture = new AlsaCapture($"infile:INFILE={input}", Rate, periodMs, config, time) { PaceByClock = true };

        capture.Start(collector);
        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(periodMs), () => collector.Frames >= frames, () => collector.Frames);
        capture.Stop();

        Assert.Equal(Rate, capture.DeviceSampleRate == 0 ? Rate : capture.DeviceSampleRate);
        var samples = collector.Samples;
        Assert.Equal(Seconds * Rate, samples.Length);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.True(samples[i] == Signals.Ramp(i), $"sample {i}: {samples[i]} instead of {Signals.Ramp(i)}");
        }

        Assert.Equal(0, capture.DeviceLosses);
    }

    [Fact]
    public void Capture_through_the_engine_keeps_frequency_and_applies_the_microphone_gain()
    {
        var input = directory.File("sine.raw");
        File.WriteAllBytes(input, Signals.ToRaw(Signals.Sine(1000, -20, Rate, (Seconds + 1) * Rate)));
        var options = new AudioOptions { SampleRate = Rate, PeriodMs = 20, EchoControl = EchoControl.Off, NoiseSuppression = false, MicrophoneGainDb = 6 };
        var capture = new AlsaCapture($"infile:INFILE={input}", Rate, 20, config, time) { PaceByClock = true };
        using var engine = new AudioEngine(capture, new NullAudioPlayer(Rate, 20, time), options);
        var collector = new FrameCollector(Seconds * Rate);
        engine.Microphone.Start(collector);

        engine.Start();
        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(20), () => collector.Frames >= Seconds * 50, () => collector.Frames);
        engine.Stop();
        capture.Dispose();

        var samples = collector.Samples;
        Assert.Equal(1000, Signals.ZeroCrossingFrequency(samples, Rate), 0.5);
        Assert.Equal(-14, Signals.LevelDbfs(samples), 0.5);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(20)]
    public void Playback_writes_a_counter_signal_without_gaps_or_repeats(int periodMs)
    {
        var output = directory.File("out.raw");
        var provider = new RampProvider();
        var frames = Seconds * 1000 / periodMs;
        var playback = new AlsaPlayback($"file:FILE={output},FORMAT=raw", Rate, periodMs, config, time) { PaceByClock = true };

        playback.Start(provider);
        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(periodMs), () => playback.FramesPlayed >= frames, () => playback.FramesPlayed);
        playback.Dispose();

        var written = Signals.FromRaw(File.ReadAllBytes(output));
        Assert.InRange(written.Length, (Seconds * Rate) - (4 * Rate * periodMs / 1000), provider.Produced);
        for (var i = 0; i < written.Length; i++)
        {
            Assert.True(written[i] == Signals.Ramp(i), $"sample {i}: {written[i]} instead of {Signals.Ramp(i)}");
        }

        Assert.Equal(0, playback.DeviceLosses);
    }

    [Fact]
    public void Playback_through_the_engine_keeps_frequency_and_applies_the_speaker_volume()
    {
        var output = directory.File("speaker.raw");
        var options = new AudioOptions { SampleRate = Rate, PeriodMs = 20, EchoControl = EchoControl.Off, NoiseSuppression = false, SpeakerVolumeDb = -6 };
        var playback = new AlsaPlayback($"file:FILE={output},FORMAT=raw", Rate, 20, config, time) { PaceByClock = true };
        var capture = new NullAudioSource(Rate, 20, time);
        using var engine = new AudioEngine(capture, playback, options);
        var tone = Signals.Sine(1000, -10, Rate, Seconds * Rate);
        var fed = 0;

        engine.Start();
        ClockDriver.RunUntil(
            time,
            TimeSpan.FromMilliseconds(20),
            () => fed >= Seconds * 50 && playback.FramesPlayed > fed + 4,
            () => playback.FramesPlayed,
            beforeStep: () =>
            {
                // Keep the speaker buffer topped up, as the call's jitter buffer would.
                while (fed < Seconds * 50 && ((SpeakerBuffer)engine.Speaker).BufferedFrames < 3)
                {
                    engine.Speaker.Write(tone.AsSpan(fed++ * 320, 320));
                }
            });
        engine.Stop();
        playback.Dispose();
        capture.Dispose();

        var written = Signals.FromRaw(File.ReadAllBytes(output));
        var first = Array.FindIndex(written, s => s != 0);
        var last = Array.FindLastIndex(written, s => s != 0);
        var heard = written.AsSpan(first, last - first + 1);
        Assert.InRange(heard.Length, (Seconds * Rate) - 640, Seconds * Rate);
        Assert.Equal(1000, Signals.ZeroCrossingFrequency(heard, Rate), 0.5);
        Assert.Equal(-16, Signals.LevelDbfs(heard), 0.5);
    }

    [Fact]
    public void A_card_fixed_at_48_kHz_is_used_at_its_own_rate_and_resampled_both_ways()
    {
        var input = directory.File("sine48k.raw");
        File.WriteAllBytes(input, Signals.ToRaw(Signals.Sine(1000, -10, 48000, 48000 * 4)));
        var output = directory.File("out48k.raw");
        var collector = new FrameCollector(Rate * 3);
        using var capture = new AlsaCapture($"infile48k:INFILE={input}", Rate, 20, config, time) { PaceByClock = true };
        using var playback = new AlsaPlayback($"file48k:FILE={output}", Rate, 20, config, time) { PaceByClock = true };
        var tone = Signals.Sine(1000, -10, Rate, Rate * 4);
        var provider = new SampleProvider(tone);
        var openRates = (Capture: 0, Playback: 0);

        capture.Start(collector);
        playback.Start(provider);
        ClockDriver.RunUntil(
            time,
            TimeSpan.FromMilliseconds(20),
            () => collector.Frames >= 150 && playback.FramesPlayed >= 150,
            () => collector.Frames + playback.FramesPlayed,
            beforeStep: () => openRates = (Math.Max(openRates.Capture, capture.DeviceSampleRate), Math.Max(openRates.Playback, playback.DeviceSampleRate)));
        capture.Stop();
        playback.Stop();

        Assert.Equal((48000, 48000), openRates);
        var captured = collector.Samples[(Rate / 10)..];
        Assert.Equal(1000, Signals.ZeroCrossingFrequency(captured, Rate), 0.5);
        Assert.Equal(-10, Signals.LevelDbfs(captured), 0.2);

        var played = Signals.FromRaw(File.ReadAllBytes(output));
        Assert.InRange(played.Length, 48000 * 2, 48000 * 4);
        var steady = played.AsSpan(4800, 48000);
        Assert.Equal(1000, Signals.ZeroCrossingFrequency(steady, 48000), 0.5);
        Assert.Equal(-10, Signals.LevelDbfs(steady), 0.2);
    }

    [Fact]
    public void A_device_that_does_not_keep_time_is_paced_by_the_clock_instead_of_spinning()
    {
        // ALSA's "null" PCM gives zeros as fast as asked; the device thread must notice and fall back to the clock.
        var collector = new FrameCollector(Rate * 4);
        using var capture = new AlsaCapture("null", Rate, 20, config, time);

        capture.Start(collector);
        Assert.True(SpinWait.SpinUntil(() => collector.Frames >= 25, TimeSpan.FromSeconds(10)));

        // With the clock standing still, it stops after half a second and one buffer of audio, however long we wait.
        Assert.False(SpinWait.SpinUntil(() => collector.Frames > 25 + 4 + 1, TimeSpan.FromMilliseconds(500)));
        var stalled = collector.Frames;

        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(20), () => collector.Frames >= stalled + 50, () => collector.Frames);
        capture.Stop();
        Assert.InRange(collector.Frames, stalled + 50, stalled + 52);
    }

    [Fact]
    public void A_missing_device_is_reported_with_its_name_and_ALSAs_reason()
    {
        var exception = Assert.Throws<AudioDeviceException>(() =>
        {
            using var config2 = Native.AlsaConfigFile.Load(config);
            Native.AlsaPcm.Open("nosuchdevice", capture: true, Rate, 20, config2).Dispose();
        });

        Assert.Contains("'nosuchdevice'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("cannot open", exception.Message, StringComparison.Ordinal);
        Assert.True(exception.ErrorCode < 0);
    }

    private sealed class SampleProvider(short[] samples) : IAudioFrameProvider
    {
        private int position;

        public void ReadFrame(Span<short> frame)
        {
            samples.AsSpan(position, frame.Length).CopyTo(frame);
            position = (position + frame.Length) % (samples.Length - frame.Length);
        }
    }

    private sealed class RampProvider : IAudioFrameProvider
    {
        public long Produced { get; private set; }

        public void ReadFrame(Span<short> frame)
        {
            for (var i = 0; i < frame.Length; i++)
            {
                frame[i] = Signals.Ramp(Produced++);
            }
        }
    }
}
