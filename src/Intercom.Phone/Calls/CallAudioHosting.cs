using Intercom.Audio;
using Intercom.Configuration;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Media.Streams;
using Microsoft.Extensions.Logging;

namespace Intercom.Phone;

/// <summary>The configuration's audio and media sections turned into the station's sound devices and every call's media options.</summary>
internal static partial class CallAudioHosting
{
    /// <summary>
    /// The microphone and speaker the audio section asks for, started. With --simulate and the ALSA driver on a machine
    /// without a sound card, null devices (or the WAV files, when configured) stand in.
    /// </summary>
    public static CallAudio CreateAudio(IntercomConfig config, bool simulate, TimeProvider time, ILoggerFactory logs) =>
        new(CreateEngine(config, simulate, time, logs));

    /// <summary>The devices the audio section asks for, not started (at start, and to reopen them after a change).</summary>
    public static AudioEngine CreateEngine(IntercomConfig config, bool simulate, TimeProvider time, ILoggerFactory logs)
    {
        var options = AudioOptions(config.Audio);
        if (simulate && options.Driver == AudioDriver.Alsa && options.AlsaConfigPath is null && AlsaDeviceCatalog.ListCards().Count == 0)
        {
            options.Driver = options.CaptureWavPath is not null || options.PlaybackWavPath is not null ? AudioDriver.Wav : AudioDriver.Null;
            LogSimulatedAudio(logs.CreateLogger("intercom"), options.Driver.ToString().ToLowerInvariant());
        }

        return AudioEngine.Create(options, time, logs);
    }

    /// <summary>The audio section as the audio library's options (the section was validated).</summary>
    public static AudioOptions AudioOptions(AudioConfig audio) => new()
    {
        Driver = audio.Driver switch
        {
            "null" => AudioDriver.Null,
            "wav" => AudioDriver.Wav,
            _ => AudioDriver.Alsa,
        },
        CaptureDevice = audio.CaptureDevice,
        PlaybackDevice = audio.PlaybackDevice,
        SampleRate = audio.SampleRate,
        PeriodMs = audio.PeriodMs,
        EchoControl = audio.EchoControl switch
        {
            "off" => EchoControl.Off,
            "halfDuplex" => EchoControl.HalfDuplex,
            _ => EchoControl.Cancel,
        },
        EchoTailMs = audio.EchoTailMs,
        NoiseSuppression = audio.NoiseSuppression,
        MicrophoneGainDb = audio.MicrophoneGainDb,
        SpeakerVolumeDb = audio.SpeakerVolumeDb,
        LocalSoundLevelDbfs = audio.LocalSoundLevelDbfs,
        CaptureWavPath = audio.CaptureWavPath,
        PlaybackWavPath = audio.PlaybackWavPath,
        AlsaConfigPath = audio.AlsaConfigPath,
    };

    /// <summary>What each call offers: codecs in the configured order, telephone-event, ptime, the first account's SRTP policy.</summary>
    public static CallMediaOptions MediaOptions(IntercomConfig config, TimeProvider time)
    {
        var media = config.Media;
        var formats = new List<MediaFormat>();
        foreach (var codec in media.Codecs)
        {
            MediaFormat? format = codec switch
            {
                "opus" => MediaFormat.Opus,
                "g722" => MediaFormat.G722,
                "pcmu" => MediaFormat.Pcmu,
                "pcma" => MediaFormat.Pcma,
                _ => null,
            };
            if (format is not null && !formats.Contains(format))
            {
                formats.Add(format);
            }
        }

        if (formats.Count == 0)
        {
            formats.Add(MediaFormat.Pcmu);
        }

        // SDES keys travel in the SDP, so the validator allows SRTP only on a TLS account (RFC 4568 §8.3). The first
        // account's policy is only the default here: each call replaces it with its own account's (SipCallControl).
        var srtp = config.Accounts.Count == 0 ? "off" : config.Accounts[0].Srtp;
        return new CallMediaOptions
        {
            RtpPortMin = media.RtpPortMin,
            RtpPortMax = media.RtpPortMax,
            Formats = formats,
            TelephoneEvent = media.TelephoneEvent,
            PacketTimeMs = media.PtimeMs,
            Srtp = srtp switch
            {
                "offered" => SrtpPolicy.Optional,
                "required" => SrtpPolicy.Required,
                _ => SrtpPolicy.Disabled,
            },
            MediaTimeout = TimeSpan.FromSeconds(media.MediaTimeoutSeconds),
            InBandDtmf = media.InBandDtmf switch
            {
                "always" => InBandDtmfMode.Always,
                "off" => InBandDtmfMode.Off,
                _ => InBandDtmfMode.Auto,
            },
            OpusBitrate = media.OpusBitrate,
            Time = time,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "no sound card: simulated audio uses the {Driver} driver")]
    private static partial void LogSimulatedAudio(ILogger logger, string driver);
}
