namespace Intercom.Audio;

/// <summary>
/// The audio section of the station's configuration: plain settable properties with working defaults, serialisable by
/// System.Text.Json's source generator (enums as strings).
/// </summary>
public sealed class AudioOptions
{
    /// <summary>alsa, null or wav.</summary>
    public AudioDriver Driver { get; set; } = AudioDriver.Alsa;

    /// <summary>ALSA PCM name of the microphone.</summary>
    public string CaptureDevice { get; set; } = "default";

    /// <summary>ALSA PCM name of the speaker.</summary>
    public string PlaybackDevice { get; set; } = "default";

    /// <summary>The call's sample rate: 8000, 16000 or 48000 Hz (cards at another rate are resampled).</summary>
    public int SampleRate { get; set; } = 16000;

    /// <summary>Period and frame length: 10 or 20 ms.</summary>
    public int PeriodMs { get; set; } = 20;

    /// <summary>Echo control: cancel (default), halfDuplex or off.</summary>
    public EchoControl EchoControl { get; set; } = EchoControl.Cancel;

    /// <summary>The echo canceller's filter length: the longest echo path it models (device latency plus room reverberation).</summary>
    public int EchoTailMs { get; set; } = 200;

    /// <summary>Noise suppression on the microphone (speexdsp preprocessor).</summary>
    public bool NoiseSuppression { get; set; } = true;

    /// <summary>Microphone gain in dB (−40 … +40), applied after echo cancellation.</summary>
    public double MicrophoneGainDb { get; set; }

    /// <summary>Speaker volume in dB (−60 … +20); 0 plays the call unchanged.</summary>
    public double SpeakerVolumeDb { get; set; }

    /// <summary>Local sounds (ringback, beeps) level in dBFS before the speaker volume.</summary>
    public double LocalSoundLevelDbfs { get; set; } = -12;

    /// <summary>wav driver: the file the simulated microphone plays (looped); none gives silence.</summary>
    public string? CaptureWavPath { get; set; }

    /// <summary>wav driver: the file the simulated speaker records into; none discards.</summary>
    public string? PlaybackWavPath { get; set; }

    /// <summary>alsa driver: an asoundrc-style file used instead of the system configuration (development and tests).</summary>
    public string? AlsaConfigPath { get; set; }

    /// <summary>Checks every field; on failure <paramref name="error"/> names the field and the reason.</summary>
    public bool TryValidate(out string error)
    {
        error = (this switch
        {
            { SampleRate: not (8000 or 16000 or 48000) } => $"sampleRate: {SampleRate} Hz is not supported (8000, 16000 or 48000)",
            { PeriodMs: not (10 or 20) } => $"periodMs: {PeriodMs} ms is not supported (10 or 20)",
            { EchoTailMs: < 20 or > 500 } => $"echoTailMs: {EchoTailMs} ms is outside 20 … 500",
            { MicrophoneGainDb: < -40 or > 40 or double.NaN } => $"microphoneGainDb: {MicrophoneGainDb} dB is outside −40 … +40",
            { SpeakerVolumeDb: < -60 or > 20 or double.NaN } => $"speakerVolumeDb: {SpeakerVolumeDb} dB is outside −60 … +20",
            { LocalSoundLevelDbfs: < -60 or > 0 or double.NaN } => $"localSoundLevelDbfs: {LocalSoundLevelDbfs} dBFS is outside −60 … 0",
            { Driver: AudioDriver.Alsa, CaptureDevice: null or "" } => "captureDevice: empty",
            { Driver: AudioDriver.Alsa, PlaybackDevice: null or "" } => "playbackDevice: empty",
            { Driver: not (AudioDriver.Alsa or AudioDriver.Null or AudioDriver.Wav) } => $"driver: {(int)Driver} is not alsa, null or wav",
            _ => null,
        }) ?? string.Empty;
        return error.Length == 0;
    }

    internal static void CheckFormat(int sampleRate, int periodMs)
    {
        if (sampleRate is not (8000 or 16000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "8000, 16000 or 48000 Hz");
        }

        if (periodMs is not (10 or 20))
        {
            throw new ArgumentOutOfRangeException(nameof(periodMs), periodMs, "10 or 20 ms");
        }
    }
}
