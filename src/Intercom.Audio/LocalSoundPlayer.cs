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

    private readonly ToneGenerator[] sounds; // by LocalSound
    private readonly short[] scratch;
    private int command; // 0 none, -1 stop, else 1 + LocalSound
    private ToneGenerator? current;
    private volatile bool playing;

    /// <param name="sampleRate">Rate of the frames it mixes into.</param>
    /// <param name="maxFrameSamples">Largest frame it will be asked to mix.</param>
    /// <param name="levelDbfs">Peak level of a single tone, in dBFS.</param>
    public LocalSoundPlayer(int sampleRate, int maxFrameSamples, double levelDbfs = -12)
    {
        var level = levelDbfs + ToneGenerator.FullScaleDbm0;
        sounds =
        [
            new ToneGenerator(TonePattern.RingbackEurope.WithLevel(level), sampleRate, RampMs),
            new ToneGenerator(TonePattern.ConfirmationBeep.WithLevel(level), sampleRate, RampMs),
            new ToneGenerator(TonePattern.ErrorTone.WithLevel(level), sampleRate, RampMs),
        ];
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
        if (current is null)
        {
            if (applied)
            {
                Finished?.Invoke(); // stopped (or replaced by nothing) before or while playing
            }

            return;
        }

        var tone = scratch.AsSpan(0, frame.Length);
        current.Read(tone);
        Gain.MixInto(frame, tone);
        if (current.IsFinished)
        {
            // A sound that does not loop ended in this frame.
            current = null;
            playing = false;
            Finished?.Invoke();
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

        var index = pending - 1;
        current = index >= 0 && index < sounds.Length ? sounds[index] : null;
        current?.Restart();
        playing = current is not null;
        Interlocked.CompareExchange(ref command, 0, pending);
        return true;
    }
}
