using Intercom.Audio.Native;
using Microsoft.Extensions.Logging;

namespace Intercom.Audio;

/// <summary>A speaker on an ALSA playback device (libasound), mono S16_LE at the device's rate nearest the call's.</summary>
public sealed class AlsaPlayback : AudioPlaybackDevice
{
    private readonly string device;
    private readonly string? configFile;

    /// <param name="device">ALSA PCM name ("default", "plughw:CARD=Device,DEV=0", ...).</param>
    /// <param name="sampleRate">The call's rate (8000, 16000, 48000).</param>
    /// <param name="periodMs">10 or 20.</param>
    /// <param name="configFile">An asoundrc-style file to use instead of the system configuration (snd_pcm_open_lconf), or null.</param>
    /// <param name="time">Clock for reconnect backoff.</param>
    /// <param name="logger">Where device events go.</param>
    public AlsaPlayback(string device, int sampleRate, int periodMs, string? configFile = null, TimeProvider? time = null, ILogger? logger = null)
        : base(AlsaPcm.Describe(device, capture: false), sampleRate, periodMs, time, logger)
    {
        this.device = device;
        this.configFile = configFile;
    }

    /// <summary>Paces writes by the clock: for ALSA's "null" plugin (tests), which takes audio at once instead of at the rate it is heard.</summary>
    internal bool PaceByClock { get; init; }

    internal override IPcmOutput OpenOutput()
    {
        using var config = configFile is null ? null : AlsaConfigFile.Load(configFile);
        var pcm = AlsaPcm.Open(device, capture: false, SampleRate, PeriodMs, config);
        pcm.PacesItself = !PaceByClock;
        return pcm;
    }

    internal override string DescribeError(int error) => LibAsound.ErrorText(error);
}
