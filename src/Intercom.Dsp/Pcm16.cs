namespace Intercom.Dsp;

/// <summary>16-bit PCM arithmetic shared by filters, gains and mixers.</summary>
public static class Pcm16
{
    /// <summary>Rounds <paramref name="value"/> to the nearest sample, clipping at full scale instead of wrapping round.</summary>
    public static short Saturate(float value)
    {
        var rounded = MathF.Round(value);
        return rounded >= short.MaxValue ? short.MaxValue : rounded <= short.MinValue ? short.MinValue : (short)rounded;
    }
}
