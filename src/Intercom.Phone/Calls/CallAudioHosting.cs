using Intercom.Audio;
using Microsoft.Extensions.Logging;

namespace Intercom.Phone;

/// <summary>The phone's audio options turned into the station's sound devices.</summary>
internal static partial class CallAudioHosting
{
    /// <summary>
    /// The microphone and speaker <paramref name="options"/> ask for, started. With <see cref="PhoneOptions.SimulatedAudioWithoutCard"/>
    /// and the ALSA driver on a machine without a sound card, null devices (or the WAV files, when configured) stand in.
    /// </summary>
    public static CallAudio CreateAudio(PhoneOptions options, TimeProvider time, ILoggerFactory logs) =>
        new(CreateEngine(options, time, logs));

    /// <summary>The devices <paramref name="options"/> ask for, not started (at start, and to reopen them after a change).</summary>
    public static AudioEngine CreateEngine(PhoneOptions options, TimeProvider time, ILoggerFactory logs)
    {
        var audio = Copy(options.Audio);
        if (options.SimulatedAudioWithoutCard && audio.Driver == AudioDriver.Alsa && audio.AlsaConfigPath is null && AlsaDeviceCatalog.ListCards().Count == 0)
        {
            audio.Driver = audio.CaptureWavPath is not null || audio.PlaybackWavPath is not null ? AudioDriver.Wav : AudioDriver.Null;
            LogSimulatedAudio(logs.CreateLogger("intercom"), audio.Driver.ToString().ToLowerInvariant());
        }

        return AudioEngine.Create(audio, time, logs);
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> open the same devices the same way (nothing to reopen).</summary>
    public static bool Same(AudioOptions a, AudioOptions b) => a.Driver == b.Driver && a.CaptureDevice == b.CaptureDevice
        && a.PlaybackDevice == b.PlaybackDevice && a.SampleRate == b.SampleRate && a.PeriodMs == b.PeriodMs && a.EchoControl == b.EchoControl
        && a.EchoTailMs == b.EchoTailMs && a.NoiseSuppression == b.NoiseSuppression && a.MicrophoneGainDb.Equals(b.MicrophoneGainDb)
        && a.SpeakerVolumeDb.Equals(b.SpeakerVolumeDb) && a.LocalSoundLevelDbfs.Equals(b.LocalSoundLevelDbfs)
        && a.CaptureWavPath == b.CaptureWavPath && a.PlaybackWavPath == b.PlaybackWavPath && a.AlsaConfigPath == b.AlsaConfigPath;

    // The options are the caller's: the simulated fallback changes a copy.
    private static AudioOptions Copy(AudioOptions a) => new()
    {
        Driver = a.Driver,
        CaptureDevice = a.CaptureDevice,
        PlaybackDevice = a.PlaybackDevice,
        SampleRate = a.SampleRate,
        PeriodMs = a.PeriodMs,
        EchoControl = a.EchoControl,
        EchoTailMs = a.EchoTailMs,
        NoiseSuppression = a.NoiseSuppression,
        MicrophoneGainDb = a.MicrophoneGainDb,
        SpeakerVolumeDb = a.SpeakerVolumeDb,
        LocalSoundLevelDbfs = a.LocalSoundLevelDbfs,
        CaptureWavPath = a.CaptureWavPath,
        PlaybackWavPath = a.PlaybackWavPath,
        AlsaConfigPath = a.AlsaConfigPath,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "no sound card: simulated audio uses the {Driver} driver")]
    private static partial void LogSimulatedAudio(ILogger logger, string driver);
}
