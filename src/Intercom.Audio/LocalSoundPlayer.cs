using Intercom.Dsp;

namespace Intercom.Audio;

/// <summary>
/// Generates the station's local sounds and mixes them into the speaker's frames (saturating), over the call's audio.
/// Play and Stop may be called from any thread; mixing happens on the playback thread and allocates nothing.
/// </summary>
public sealed class LocalSoundPlayer
{
    private const int RampMs = 5; // fade in and out so tones start and end without clicks
    private const int CommandStop = -1;

    private static readonly ToneSegment[] Ringback = [new(425, 0, 1000), new(0, 0, 4000)];
    private static readonly ToneSegment[] Confirmation = [new(880, 0, 120), new(0, 0, 60), new(1320, 0, 160)];
    private static readonly ToneSegment[] Error = [new(950, 0, 330), new(1400, 0, 330), new(1800, 0, 330)];

    private readonly int sampleRate;
    private readonly float amplitude;
    private readonly short[] scratch;
    private int command; // 0 none, -1 stop, else 1 + LocalSound
    private ToneSegment[]? pattern;
    private bool looping;
    private int segment;
    private int sampleInSegment;
    private double phaseA;
    private double phaseB;
    private volatile bool playing;

    /// <param name="sampleRate">Rate of the frames it mixes into.</param>
    /// <param name="maxFrameSamples">Largest frame it will be asked to mix.</param>
    /// <param name="levelDbfs">Peak level of a single tone, in dBFS.</param>
    public LocalSoundPlayer(int sampleRate, int maxFrameSamples, double levelDbfs = -12)
    {
        this.sampleRate = sampleRate;
        amplitude = 32767f * Gain.FromDb(levelDbfs);
        scratch = new short[maxFrameSamples];
    }

    /// <summary>True while a sound is playing (or about to start).</summary>
    public bool IsPlaying => playing || Volatile.Read(ref command) > 0;

    /// <summary>Starts <paramref name="sound"/>, replacing whatever was playing.</summary>
    public void Play(LocalSound sound)
    {
        Volatile.Write(ref command, 1 + (int)sound);
        Requested?.Invoke();
    }

    /// <summary>Called on the caller's thread after <see cref="Play"/> (the engine starts the speaker for it).</summary>
    internal Action? Requested { get; set; }

    /// <summary>Called on the playback thread when a sound ends or is stopped (the engine may stop the devices).</summary>
    internal Action? Finished { get; set; }

    /// <summary>Stops the current sound (ringback ends this way when the call is answered).</summary>
    public void Stop() => Volatile.Write(ref command, CommandStop);

    /// <summary>Adds the current sound into <paramref name="frame"/>; called on the playback thread.</summary>
    internal void MixInto(Span<short> frame)
    {
        var applied = ApplyCommand();
        if (pattern is null)
        {
            if (applied)
            {
                Finished?.Invoke(); // stopped (or replaced by nothing) before or while playing
            }

            return;
        }

        var tone = scratch.AsSpan(0, frame.Length);
        Generate(tone);
        Gain.MixInto(frame, tone);
        if (pattern is null)
        {
            Finished?.Invoke(); // a sound that does not loop ended in this frame
        }
    }

    private bool ApplyCommand()
    {
        // The command is cleared only after `playing` says what it started: IsPlaying, read on another thread, must never
        // see neither (a CI run read false between the two). A command given meanwhile stays for the next frame.
        var pending = Volatile.Read(ref command);
        if (pending == 0)
        {
            return false;
        }

        pattern = pending switch
        {
            1 + (int)LocalSound.Ringback => Ringback,
            1 + (int)LocalSound.Confirmation => Confirmation,
            1 + (int)LocalSound.Error => Error,
            _ => null,
        };
        looping = pending == 1 + (int)LocalSound.Ringback;
        segment = 0;
        sampleInSegment = 0;
        phaseA = 0;
        phaseB = 0;
        playing = pattern is not null;
        Interlocked.CompareExchange(ref command, 0, pending);
        return true;
    }

    private void Generate(Span<short> output)
    {
        var ramp = sampleRate * RampMs / 1000;
        for (var i = 0; i < output.Length; i++)
        {
            if (pattern is null)
            {
                output[i..].Clear();
                return;
            }

            var step = pattern[segment];
            var length = step.DurationMs * sampleRate / 1000;
            float value = 0;
            if (step.FrequencyA > 0)
            {
                var envelope = Math.Min(1f, Math.Min(sampleInSegment, length - 1 - sampleInSegment) / (float)ramp);
                var voices = step.FrequencyB > 0 ? 2 : 1;
                var sum = Math.Sin(phaseA) + (voices == 2 ? Math.Sin(phaseB) : 0);
                value = (float)(sum / voices) * amplitude * envelope;
                phaseA += 2 * Math.PI * step.FrequencyA / sampleRate;
                phaseB += 2 * Math.PI * step.FrequencyB / sampleRate;
                if (phaseA > 2 * Math.PI)
                {
                    phaseA -= 2 * Math.PI;
                }

                if (phaseB > 2 * Math.PI)
                {
                    phaseB -= 2 * Math.PI;
                }
            }

            output[i] = Pcm16.Saturate(value);
            if (++sampleInSegment >= length)
            {
                sampleInSegment = 0;
                phaseA = 0;
                phaseB = 0;
                if (++segment >= pattern.Length)
                {
                    segment = 0;
                    if (!looping)
                    {
                        pattern = null;
                        playing = false;
                    }
                }
            }
        }
    }
}
