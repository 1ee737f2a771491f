namespace Intercom.Dsp;

/// <summary>
/// A call-progress or signalling tone as a cadence of <see cref="ToneSegment"/>s, played once or repeated. The presets
/// follow ITU-T E.180 (Europe: 425 Hz) and the North American precise tones, plus DTMF digits (Q.23).
/// </summary>
public sealed class TonePattern
{
    /// <summary>Creates a pattern.</summary>
    public TonePattern(string name, bool repeat, params ToneSegment[] segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Length == 0)
        {
            throw new ArgumentException("a pattern needs at least one segment", nameof(segments));
        }

        foreach (ToneSegment segment in segments)
        {
            if (segment.DurationMs <= 0)
            {
                throw new ArgumentException("every segment needs a duration", nameof(segments));
            }
        }

        Name = name;
        Repeat = repeat;
        Segments = segments;
    }

    /// <summary>For logs.</summary>
    public string Name { get; }

    /// <summary>True if the cadence loops until stopped.</summary>
    public bool Repeat { get; }

    /// <summary>The steps.</summary>
    public IReadOnlyList<ToneSegment> Segments { get; }

    /// <summary>Ringback, Europe (E.180: 425 Hz, 1 s on, 4 s off).</summary>
    public static TonePattern RingbackEurope { get; } = new("ringback-eu", true, new(425, 0, 1000), new(0, 0, 4000));

    /// <summary>Ringback, North America (440 + 480 Hz, 2 s on, 4 s off).</summary>
    public static TonePattern RingbackNorthAmerica { get; } = new("ringback-us", true, new(440, 480, 2000, -19), new(0, 0, 4000));

    /// <summary>Busy, Europe (425 Hz, 0.5 s on, 0.5 s off).</summary>
    public static TonePattern BusyEurope { get; } = new("busy-eu", true, new(425, 0, 500), new(0, 0, 500));

    /// <summary>Busy, North America (480 + 620 Hz, 0.5 s on, 0.5 s off).</summary>
    public static TonePattern BusyNorthAmerica { get; } = new("busy-us", true, new(480, 620, 500, -24), new(0, 0, 500));

    /// <summary>Confirmation (door opened, code accepted): two short rising beeps, 880 Hz then 1320 Hz.</summary>
    public static TonePattern ConfirmationBeep { get; } = new("confirm", false, new(880, 0, 120), new(0, 0, 60), new(1320, 0, 160));

    /// <summary>Error (wrong code, call failed): the three rising tones of the special information tone (E.180 §7).</summary>
    public static TonePattern ErrorTone { get; } = new("error", false, new(950, 0, 330), new(1400, 0, 330), new(1800, 0, 330));

    /// <summary>The same cadence with every segment at <paramref name="levelDbm0"/> (a configured loudness).</summary>
    public TonePattern WithLevel(double levelDbm0)
    {
        var segments = new ToneSegment[Segments.Count];
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = Segments[i] with { LevelDbm0 = levelDbm0 };
        }

        return new TonePattern(Name, Repeat, segments);
    }

    /// <summary>A DTMF digit of <paramref name="durationMs"/> (Q.23 frequencies), for in-band signalling and tests.</summary>
    public static TonePattern Dtmf(char digit, int durationMs = 100, double levelDbm0 = -10)
    {
        if (!TryGetDtmfFrequencies(digit, out double low, out double high))
        {
            throw new ArgumentException("not a DTMF digit", nameof(digit));
        }

        return new TonePattern("dtmf-" + digit, false, new ToneSegment(low, high, durationMs, levelDbm0));
    }

    /// <summary>The Q.23 low-group and high-group frequencies of a digit.</summary>
    public static bool TryGetDtmfFrequencies(char digit, out double low, out double high)
    {
        int index = "123A456B789C*0#D".IndexOf(char.ToUpperInvariant(digit), StringComparison.Ordinal);
        if (index < 0)
        {
            low = high = 0;
            return false;
        }

        low = DtmfLowGroup[index / 4];
        high = DtmfHighGroup[index % 4];
        return true;
    }

    /// <summary>Q.23 low-group (row) frequencies.</summary>
    public static ReadOnlySpan<double> DtmfLowGroup => [697, 770, 852, 941];

    /// <summary>Q.23 high-group (column) frequencies.</summary>
    public static ReadOnlySpan<double> DtmfHighGroup => [1209, 1336, 1477, 1633];
}
