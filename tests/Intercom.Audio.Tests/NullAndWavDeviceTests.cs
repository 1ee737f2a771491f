using Microsoft.Extensions.Time.Testing;

namespace Intercom.Audio.Tests;

public sealed class NullAndWavDeviceTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Null_source_paces_by_the_clock_and_does_not_spin()
    {
        var time = new FakeTimeProvider();
        using var source = new NullAudioSource(8000, 20, time);
        var collector = new FrameCollector(8000 * 2);

        source.Start(collector);
        Assert.True(collector.WaitFrame()); // the first frame at once

        // Without the clock moving no further frame comes, however long we wait.
        Assert.False(SpinWait.SpinUntil(() => collector.Frames > 1, TimeSpan.FromMilliseconds(300)));

        // One second of fake time: exactly 50 more frames.
        for (var i = 0; i < 50; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            Assert.True(collector.WaitFrame());
        }

        Assert.False(SpinWait.SpinUntil(() => collector.Frames > 51, TimeSpan.FromMilliseconds(100)));
        source.Stop();
        Assert.Equal(51, collector.Frames);
        Assert.All(collector.Samples.ToArray(), s => Assert.Equal(0, s));
    }

    [Fact]
    public void Wav_source_resamples_and_loops_its_file()
    {
        var time = new FakeTimeProvider();
        var path = directory.File("door.wav");
        WavFile.Write(path, Signals.Sine(1000, -10, 48000, 48000), 48000); // one second at 48 kHz
        using var source = new WavFileSource(path, 16000, 10, loop: true, time);
        var collector = new FrameCollector(16000 * 3);

        source.Start(collector);
        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(10), () => collector.Frames >= 300, () => collector.Frames);
        source.Stop();

        var samples = collector.Samples;
        Assert.Equal(1000, Signals.ZeroCrossingFrequency(samples[1000..15000], 16000), 0.5);
        Assert.Equal(-10, Signals.LevelDbfs(samples[1000..15000]), 0.2);

        // Still playing in the third second: the file looped.
        Assert.Equal(-10, Signals.LevelDbfs(samples[33000..47000]), 0.5);
    }

    [Fact]
    public void Wav_player_records_what_it_plays()
    {
        var time = new FakeTimeProvider();
        var path = directory.File("speaker.wav");
        var provider = new ToneProvider(Signals.Sine(700, -6, 8000, 8000 * 2));
        using (var player = new WavFilePlayer(path, 8000, 20, time))
        {
            player.Start(provider);
            ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(20), () => player.FramesPlayed >= 100, () => player.FramesPlayed);
        }

        var (samples, rate) = WavFile.Read(path);
        Assert.Equal(8000, rate);
        Assert.InRange(samples.Length, 99 * 160, 101 * 160);
        Assert.Equal(700, Signals.ZeroCrossingFrequency(samples, 8000), 0.5);
    }

    [Fact]
    public void Wav_files_round_trip_and_stereo_is_mixed_down()
    {
        var path = directory.File("ramp.wav");
        var ramp = Signals.RampSamples(4001);
        WavFile.Write(path, ramp, 16000);

        var (read, rate) = WavFile.Read(path);
        Assert.Equal(16000, rate);
        Assert.Equal(ramp, read);

        // A stereo file with a LIST chunk before fmt: left 1000, right 3000 → mono 2000.
        var stereo = new List<byte>();
        stereo.AddRange("RIFF"u8.ToArray());
        stereo.AddRange(BitConverter.GetBytes(4 + 14 + 24 + 8 + 8));
        stereo.AddRange("WAVE"u8.ToArray());
        stereo.AddRange("LIST"u8.ToArray());
        stereo.AddRange(BitConverter.GetBytes(5));
        stereo.AddRange("INFO\0\0"u8.ToArray()); // 5 bytes + pad byte
        stereo.AddRange("fmt "u8.ToArray());
        stereo.AddRange(BitConverter.GetBytes(16));
        stereo.AddRange([1, 0, 2, 0]);
        stereo.AddRange(BitConverter.GetBytes(8000));
        stereo.AddRange(BitConverter.GetBytes(32000));
        stereo.AddRange([4, 0, 16, 0]);
        stereo.AddRange("data"u8.ToArray());
        stereo.AddRange(BitConverter.GetBytes(8));
        foreach (var s in new short[] { 1000, 3000, -1000, -3000 })
        {
            stereo.AddRange(BitConverter.GetBytes(s));
        }

        Assert.True(WavFile.TryParse(stereo.ToArray(), out var mono, out var stereoRate, out var error), error);
        Assert.Equal(8000, stereoRate);
        Assert.Equal(new short[] { 2000, -2000 }, mono);
    }

    [Theory]
    [InlineData("")]
    [InlineData("RIFF\u0004\0\0\0WAVE")]
    [InlineData("RIFF\u0024\0\0\0WAVEfmt \u0010\0\0\0\u0003\0\u0001\0\u0044\u00ac\0\0\u0010\u00b1\u0002\0\u0004\0\u0020\0data\0\0\0\0")]
    [InlineData("RIFF\u0024\0\0\0WAVEdata\u00ff\u00ff\u00ff\u00ff")]
    [InlineData("RIFF\u0024\0\0\0WAVEfmt \u00ff\u00ff\u00ff\u007f")]
    public void Bad_wav_files_are_refused_with_a_reason(string content)
    {
        var bytes = content.Select(c => (byte)c).ToArray();
        Assert.False(WavFile.TryParse(bytes, out _, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void A_missing_wav_file_is_a_device_that_is_retried_not_a_crash()
    {
        var time = new FakeTimeProvider();
        using var source = new WavFileSource(directory.File("absent.wav"), 8000, 20, loop: true, time);
        var collector = new FrameCollector(8000);

        source.Start(collector);
        ClockDriver.RunUntil(time, TimeSpan.FromMilliseconds(20), () => collector.Frames >= 20, () => collector.Frames);
        source.Stop();

        Assert.Equal(0, source.DeviceSampleRate);
        Assert.All(collector.Samples.ToArray(), s => Assert.Equal(0, s));
    }

    private sealed class ToneProvider(short[] tone) : IAudioFrameProvider
    {
        private int position;

        public void ReadFrame(Span<short> frame)
        {
            tone.AsSpan(position % tone.Length, frame.Length).CopyTo(frame);
            position += frame.Length;
        }
    }
}
