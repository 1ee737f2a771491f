namespace Intercom.Audio.Tests;

public sealed class LocalSoundPlayerTests
{
    private const int Rate = 16000;
    private const int Frame = 320;

    [Fact]
    public void Ringback_is_425_Hz_one_second_on_four_off_until_stopped()
    {
        var player = new LocalSoundPlayer(Rate, Frame, levelDbfs: -12);
        player.Play(LocalSound.Ringback);
        var audio = Render(player, seconds: 10);

        Assert.Equal(425, Signals.ZeroCrossingFrequency(audio.AsSpan(Rate / 10, Rate * 8 / 10), Rate), 0.5);
        Assert.Equal(-12, Signals.LevelDbfs(audio.AsSpan(Rate / 10, Rate * 8 / 10)), 0.2);
        Assert.Equal(-120, Signals.LevelDbfs(audio.AsSpan(Rate + (Rate / 10), 3 * Rate)));
        Assert.Equal(-12, Signals.LevelDbfs(audio.AsSpan((5 * Rate) + (Rate / 10), Rate * 8 / 10)), 0.2); // second cadence
        Assert.True(player.IsPlaying);

        player.Stop();
        Assert.Equal(-120, Signals.LevelDbfs(Render(player, seconds: 1)));
        Assert.False(player.IsPlaying);
    }

    [Fact]
    public void Error_tone_is_the_rising_special_information_tone_and_ends_by_itself()
    {
        var player = new LocalSoundPlayer(Rate, Frame);
        player.Play(LocalSound.Error);
        var audio = Render(player, seconds: 2);

        var third = Rate * 330 / 1000;
        Assert.Equal(950, Signals.ZeroCrossingFrequency(audio.AsSpan(200, third - 400), Rate), 1);
        Assert.Equal(1400, Signals.ZeroCrossingFrequency(audio.AsSpan(third + 200, third - 400), Rate), 1);
        Assert.Equal(1800, Signals.ZeroCrossingFrequency(audio.AsSpan((2 * third) + 200, third - 400), Rate), 1);
        Assert.Equal(-120, Signals.LevelDbfs(audio.AsSpan(3 * third)));
        Assert.False(player.IsPlaying);
    }

    [Fact]
    public void Confirmation_beeps_are_mixed_over_call_audio_with_saturation()
    {
        var player = new LocalSoundPlayer(Rate, Frame, levelDbfs: -1);
        player.Play(LocalSound.Confirmation);
        var frame = new short[Frame];
        frame.AsSpan().Fill(30000); // loud call audio: the sum must clip, not wrap around

        player.MixInto(frame);

        Assert.All(frame, s => Assert.True(s > 0, "wrapped around instead of saturating"));
        Assert.Contains(short.MaxValue, frame);
        Assert.True(player.IsPlaying);
    }

    [Fact]
    public void Mixing_does_not_allocate()
    {
        var player = new LocalSoundPlayer(Rate, Frame);
        var frame = new short[Frame];
        player.Play(LocalSound.Ringback);
        player.MixInto(frame);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 500; i++)
        {
            player.MixInto(frame);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static short[] Render(LocalSoundPlayer player, int seconds)
    {
        var audio = new short[seconds * Rate];
        for (var f = 0; f < audio.Length / Frame; f++)
        {
            player.MixInto(audio.AsSpan(f * Frame, Frame));
        }

        return audio;
    }
}
