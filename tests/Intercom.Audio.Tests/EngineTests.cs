using Microsoft.Extensions.Time.Testing;

namespace Intercom.Audio.Tests;

public sealed class EngineTests : IDisposable
{
    private const int Rate = 8000;
    private const int Frame = 160;
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Gains_change_live_while_audio_flows()
    {
        var time = new FakeTimeProvider();
        var path = directory.File("mic.wav");
        WavFile.Write(path, Signals.Sine(500, -30, Rate, Rate), Rate);
        var options = new AudioOptions { Driver = AudioDriver.Wav, CaptureWavPath = path, SampleRate = Rate, EchoControl = EchoControl.Off, NoiseSuppression = false };
        using var engine = AudioEngine.Create(options, time);
        var collector = new FrameCollector(Rate * 4);
        engine.Microphone.Start(collector);
        engine.Start();
        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(20), () => collector.Frames >= 50, () => collector.Frames);

        engine.MicrophoneGainDb = 12;
        var changedAt = collector.Frames;
        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(20), () => collector.Frames >= changedAt + 50, () => collector.Frames);
        engine.Stop();

        var samples = collector.Samples;
        Assert.Equal(-30, Signals.LevelDbfs(samples.Slice(10 * Frame, 30 * Frame)), 0.3);
        Assert.Equal(-18, Signals.LevelDbfs(samples.Slice((changedAt + 10) * Frame, 30 * Frame)), 0.3);
        Assert.Equal(12, engine.MicrophoneGainDb);

        engine.SpeakerVolumeDb = 99; // clamped, never a crash
        Assert.Equal(20, engine.SpeakerVolumeDb);
    }

    [Fact]
    public void Half_duplex_engine_mutes_the_visitor_while_the_far_end_plays()
    {
        var reference = new EchoReference(Frame);
        var options = new AudioOptions { SampleRate = Rate, PeriodMs = 20, EchoControl = EchoControl.HalfDuplex, NoiseSuppression = false };
        using var processor = new MicrophoneProcessor(Rate, Frame, options, reference, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var collector = new FrameCollector(Rate);
        processor.Start(collector);
        var visitor = Signals.Sine(300, -20, Rate, Frame);

        processor.OnFrame(visitor);
        reference.Write(Signals.Sine(1000, -20, Rate, Frame));
        processor.OnFrame(visitor);

        Assert.Equal(EchoControl.HalfDuplex, processor.EchoControl);
        Assert.Equal(-20, Signals.LevelDbfs(collector.Samples[..Frame]), 0.2);
        Assert.True(Signals.LevelDbfs(collector.Samples[Frame..]) < -24, "faded out while the far end plays");
        processor.OnFrame(visitor);
        reference.Write(Signals.Sine(1000, -20, Rate, Frame));
        processor.OnFrame(visitor);
        Assert.Equal(-120, Signals.LevelDbfs(collector.Samples[(3 * Frame)..]));
    }

    [Fact]
    public void The_per_frame_path_does_not_allocate()
    {
        NativeLibraries.RequireSpeexDsp();
        var reference = new EchoReference(Frame);
        var options = new AudioOptions { SampleRate = Rate, PeriodMs = 20 };
        using var processor = new MicrophoneProcessor(Rate, Frame, options, reference, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var sink = new SpeakerBuffer(Rate, Frame, 4);
        var sounds = new LocalSoundPlayer(Rate, Frame);
        var mixer = new SpeakerMixer(sink, sounds, reference) { LinearVolume = 0.5f };
        processor.Start(new DiscardingReceiver());
        processor.LinearGain = 2f;
        sounds.Play(LocalSound.Ringback);
        var frame = Signals.Sine(440, -20, Rate, Frame);
        var played = new short[Frame];
        for (var i = 0; i < 10; i++)
        {
            sink.Write(frame);
            mixer.ReadFrame(played);
            processor.OnFrame(frame);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            sink.Write(frame);
            mixer.ReadFrame(played);
            processor.OnFrame(frame);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_field_name()
    {
        var error = Assert.Throws<ArgumentException>(() => AudioEngine.Create(new AudioOptions { SampleRate = 22050 }));
        Assert.StartsWith("sampleRate:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_listing_works_without_sound_cards()
    {
        NativeLibraries.RequireAlsa();
        var cards = AlsaDeviceCatalog.ListCards();
        var devices = AlsaDeviceCatalog.ListDevices();

        // This machine has no sound card (no /proc/asound); a device list never names "null" and every entry has a direction.
        Assert.Equal(Directory.Exists("/proc/asound/card0"), cards.Count > 0);
        Assert.All(devices, d => Assert.True(d.Name != "null" && (d.CanCapture || d.CanPlay)));
    }

    [Fact]
    public void Raising_thread_priority_never_fails()
    {
        var outcome = RunOnThread(AudioThreadPriority.TryRaise);
        Assert.Contains(outcome, new[] { "SCHED_FIFO 10", "nice -10", "normal" });
    }

    private static string RunOnThread(Func<string> action)
    {
        string result = string.Empty;
        var thread = new Thread(() => result = action());
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        return result;
    }

    private sealed class DiscardingReceiver : IAudioFrameReceiver
    {
        public void OnFrame(ReadOnlySpan<short> frame)
        {
        }
    }
}
