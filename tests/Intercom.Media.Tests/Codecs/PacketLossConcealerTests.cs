using Intercom.Media.Codecs;

namespace Intercom.Media.Tests.Codecs;

public sealed class PacketLossConcealerTests
{
    private static short[] Sine(double frequency, int start, int count, int rate = 8000, double amplitude = 8000) =>
        [.. Enumerable.Range(start, count).Select(n => (short)(amplitude * Math.Sin(2 * Math.PI * frequency * n / rate)))];

    private static double SnrDb(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual)
    {
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            signal += (double)reference[i] * reference[i];
            noise += (double)(reference[i] - actual[i]) * (reference[i] - actual[i]);
        }

        return 10 * Math.Log10(signal / Math.Max(noise, 1));
    }

    [Fact]
    public void A_lost_frame_of_a_voiced_signal_continues_its_waveform()
    {
        // 160 Hz: a 50-sample pitch period inside the 40–120 sample search range.
        var concealer = new PacketLossConcealer(8000);
        for (int frame = 0; frame < 10; frame++)
        {
            concealer.OnGoodFrame(Sine(160, frame * 160, 160));
        }

        var lost = new short[160];
        concealer.Conceal(lost);
        Assert.True(concealer.IsConcealing);
        double snr = SnrDb(Sine(160, 1600, 160), lost);
        Assert.True(snr > 10, $"SNR {snr:F1} dB");
    }

    [Fact]
    public void Concealment_fades_out_and_is_silent_after_60_ms()
    {
        var concealer = new PacketLossConcealer(8000);
        for (int frame = 0; frame < 10; frame++)
        {
            concealer.OnGoodFrame(Sine(160, frame * 160, 160));
        }

        var frames = new short[4][];
        for (int i = 0; i < 4; i++)
        {
            frames[i] = new short[160];
            concealer.Conceal(frames[i]);
        }

        double Peak(short[] f, int from, int to) => f[from..to].Max(s => Math.Abs((int)s));
        Assert.True(Peak(frames[0], 0, 80) > 7000);
        Assert.True(Peak(frames[1], 80, 160) < Peak(frames[0], 80, 160));
        Assert.Equal(0, Peak(frames[3], 0, 160));
    }

    [Fact]
    public void The_first_good_frame_after_a_loss_is_cross_faded_without_a_jump()
    {
        var concealer = new PacketLossConcealer(8000);
        for (int frame = 0; frame < 10; frame++)
        {
            concealer.OnGoodFrame(Sine(160, frame * 160, 160));
        }

        var lost = new short[160];
        concealer.Conceal(lost);
        short[] next = Sine(160, 1760, 160);
        short[] original = (short[])next.Clone();
        concealer.OnGoodFrame(next);
        Assert.False(concealer.IsConcealing);
        Assert.True(Math.Abs(next[0] - lost[^1]) < 2000, $"jump {next[0]} after {lost[^1]}");
        Assert.Equal(original[^80..], next[^80..]);
    }

    [Fact]
    public void Without_history_the_concealment_is_silence()
    {
        var concealer = new PacketLossConcealer(16000);
        var pcm = new short[320];
        concealer.Conceal(pcm);
        Assert.All(pcm, s => Assert.Equal(0, s));
    }

    [Fact]
    public void G711_decoder_conceals_through_its_concealer()
    {
        using var encoder = new G711Encoder(aLaw: true);
        using var decoder = new G711Decoder(aLaw: true);
        var payload = new byte[160];
        var pcm = new short[160];
        for (int frame = 0; frame < 10; frame++)
        {
            Assert.Equal(160, encoder.Encode(Sine(160, frame * 160, 160), payload));
            Assert.Equal(160, decoder.Decode(payload, pcm));
        }

        Assert.Equal(160, decoder.Conceal(default, pcm));
        Assert.True(SnrDb(Sine(160, 1600, 160), pcm) > 10);
    }
}
