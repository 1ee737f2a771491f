using Microsoft.Extensions.Time.Testing;

namespace Intercom.Audio.Tests;

/// <summary>
/// The engine's on-demand mode: the sound devices run while a call is connected or a local sound plays, and are closed
/// (no thread, no wake-up) <see cref="AudioEngine.IdleClose"/> after the last of them ends.
/// </summary>
public sealed class EngineOnDemandTests
{
    private const int Rate = 8000;
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);

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
        Assert.True(engine.DevicesRunning, "kept open a moment for a tone after the call");
        time.Advance(AudioEngine.IdleClose);
        Assert.False(engine.DevicesRunning, "closed once nothing needed them");
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

        var endedAt = playback.FramesPlayed;
        ClockDriver.RunUntil(time, Period, () => !engine.DevicesRunning, () => playback.FramesPlayed);

        // 340 ms of beeps (17 frames), then the devices stay open for IdleClose (100 frames) and close.
        Assert.InRange(endedAt, 17, 20);
        Assert.InRange(playback.FramesPlayed - endedAt, 95, 105);
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
        engine.Sounds.Play(LocalSound.Error); // the error tone right after the call reuses the open devices
        ClockDriver.RunUntil(time, Period, () => !engine.DevicesRunning, () => playback.FramesPlayed);
        Assert.Equal(1, engine.DeviceStarts);

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
        ClockDriver.RunUntil(time, Period, () => !engine.Sounds.IsPlaying, () => playback.FramesPlayed);
        time.Advance(AudioEngine.IdleClose);

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
        return new AudioEngine(capture, playback, options, logger: null, time);
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
