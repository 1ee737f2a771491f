namespace Intercom.Configuration;

/// <summary>
/// The station's microphone and speaker (the "audio" section): which devices, the call's sample rate and period, echo
/// control, gains and local sound level. Mapped onto Intercom.Audio's AudioOptions by the app.
/// </summary>
public sealed class AudioConfig
{
    /// <summary>alsa (the sound card), null (silence, discards) or wav (files; development and tests).</summary>
    public string Driver { get; set; } = "alsa";

    /// <summary>ALSA PCM name of the microphone ("default", "plughw:CARD=Device,DEV=0", …).</summary>
    public string CaptureDevice { get; set; } = "default";

    /// <summary>ALSA PCM name of the speaker.</summary>
    public string PlaybackDevice { get; set; } = "default";

    /// <summary>The call's sample rate: 8000, 16000 or 48000 Hz (a card at another rate is resampled).</summary>
    public int SampleRate { get; set; } = 16000;

    /// <summary>Device period and frame length, 10 or 20 ms (10 halves the capture and playback delay, at more wake-ups).</summary>
    public int PeriodMs { get; set; } = 20;

    /// <summary>cancel (speexdsp echo canceller), halfDuplex (mute the microphone while the far end talks) or off.</summary>
    public string EchoControl { get; set; } = "cancel";

    /// <summary>The echo canceller's filter length in ms (20-500).</summary>
    public int EchoTailMs { get; set; } = 200;

    public bool NoiseSuppression { get; set; } = true;

    /// <summary>Microphone gain in dB (-40 … +40).</summary>
    public double MicrophoneGainDb { get; set; }

    /// <summary>Speaker volume in dB (-60 … +20).</summary>
    public double SpeakerVolumeDb { get; set; }

    /// <summary>Level of ringback and beeps in dBFS (-60 … 0).</summary>
    public double LocalSoundLevelDbfs { get; set; } = -12;

    /// <summary>wav driver: the file the microphone plays (looped); none gives silence.</summary>
    public string? CaptureWavPath { get; set; }

    /// <summary>wav driver: the file the speaker records into; none discards.</summary>
    public string? PlaybackWavPath { get; set; }

    /// <summary>alsa driver: an asoundrc-style file used instead of the system's ALSA configuration.</summary>
    public string? AlsaConfigPath { get; set; }
}
