using Microsoft.Extensions.Time.Testing;

namespace Intercom.Audio.Tests;

/// <summary>
/// The engine's on-demand mode: the sound devices run while a call is connected or a local sound plays, and are closed
/// (no thread, no wake-up) in between.
/// </summary>
public sealed class EngineOnDemandTests
{
    private const int Rate = 8000;
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public void Devices_stay_closed_until_a_call_connects_and_close_when_it_ends()
    {
        var time = new FakeTimeProvider();
        using var engine = Create(time, out var capture, out var playback);
        engine.StartOnDemand();
        Assert.False(engine.DevicesRunning);
        Assert.Equal(0, engine.DeviceStarts);

        var collector = new FrameCollector(Rate * 4);
        var far = new CountingProvider();
        engine.Microphone.Start(collector);
        engine.ConnectSpeaker(far);
        Assert.True(engine.DevicesRunning);
        ClockDriver.RunUntil(time, Period, () => collector.Frames >= 10 && far.Frames >= 10, () => collector.Frames + far.Frames);

        engine.Microphone.Stop();
        engine.ConnectSpeaker(null);
        Assert.True(SpinWait.SpinUntil(() => !engine.DevicesRunning, StopLimit), "devices closed after the call");
        var delivered = capture.FramesDelivered;
        var played = playback.FramesPlayed;
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(delivered, capture.FramesDelivered);
        Assert.Equal(played, playback.FramesPlayed);
        Assert.Equal(1, engine.DeviceStarts);
    }

    [Fact]
    public void A_tone_between_calls_opens_the_devices_until_it_ends()
    {
        var time = new FakeTimeProvider();
        using var engine = Create(time, out _, out var playback);
        engine.StartOnDemand();

        engine.Sounds.Play(LocalSound.Confirmation);
        Assert.True(engine.DevicesRunning);
        ClockDriver.RunUntil(time, Period, () => !engine.Sounds.IsPlaying, () => playback.FramesPlayed);

        Assert.True(SpinWait.SpinUntil(() => !engine.DevicesRunning, StopLimit), "devices closed after the confirmation beeps");
        Assert.InRange(playback.FramesPlayed, 17, 40); // 340 ms of beeps, plus the frames before the stop took effect
        Assert.Equal(1, engine.DeviceStarts);
    }

    [Fact]
    public void Stopping_the_ringback_closes_the_devices_but_not_while_a_call_holds_them()
    {
        var time = new FakeTimeProvider();
        using var engine = Create(time, out _, out var playback);
        engine.StartOnDemand();
        var far = new CountingProvider();

        engine.Sounds.Play(LocalSound.Ringback);
        ClockDriver.RunUntil(time, Period, () => playback.FramesPlayed >= 5, () => playback.FramesPlayed);
        engine.ConnectSpeaker(far); // answered: the call takes the speaker, then the ringback stops
        engine.Sounds.Stop();
        ClockDriver.RunUntil(time, Period, () => !engine.Sounds.IsPlaying && far.Frames >= 5, () => playback.FramesPlayed);
        Assert.True(engine.DevicesRunning, "the call still holds the devices");

        engine.ConnectSpeaker(null);
        Assert.True(SpinWait.SpinUntil(() => !engine.DevicesRunning, StopLimit));

        engine.Sounds.Play(LocalSound.Ringback); // the next visitor
        Assert.True(engine.DevicesRunning);
        engine.Sounds.Stop();
        ClockDriver.RunUntil(time, Period, () => !engine.DevicesRunning, () => playback.FramesPlayed);
        Assert.Equal(2, engine.DeviceStarts);
    }

    [Fact]
    public void Start_keeps_the_devices_running_without_a_call_or_a_tone()
    {
        var time = new FakeTimeProvider();
        using var engine = Create(time, out _, out var playback);
        engine.Start();
        engine.Sounds.Play(LocalSound.Confirmation);
        ClockDriver.RunUntil(time, Period, () => !engine.Sounds.IsPlaying && playback.FramesPlayed >= 30, () => playback.FramesPlayed);

        Assert.True(engine.DevicesRunning);
        var played = playback.FramesPlayed;
        ClockDriver.RunUntil(time, Period, () => playback.FramesPlayed >= played + 5, () => playback.FramesPlayed);
        engine.Stop();
        Assert.False(engine.DevicesRunning);
    }

    private static AudioEngine Create(FakeTimeProvider time, out NullAudioSource capture, out NullAudioPlayer playback)
    {
        capture = new NullAudioSource(Rate, 20, time);
        playback = new NullAudioPlayer(Rate, 20, time);
        var options = new AudioOptions { SampleRate = Rate, PeriodMs = 20, EchoControl = EchoControl.Off, NoiseSuppression = false };
        return new AudioEngine(capture, playback, options);
    }

    private sealed class CountingProvider : IAudioFrameProvider
    {
        private int frames;

        public int Frames => Volatile.Read(ref frames);

        public void ReadFrame(Span<short> frame)
        {
            frame.Clear();
            Interlocked.Increment(ref frames);
        }
    }
}
