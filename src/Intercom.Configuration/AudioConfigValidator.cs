using System.Globalization;
using Intercom.Station.Configuration;

namespace Intercom.Configuration;

/// <summary>Checks the audio section; each error names the field (audio.…) and the reason.</summary>
internal static class AudioConfigValidator
{
    private static readonly string[] Drivers = ["alsa", "null", "wav"];
    private static readonly string[] EchoControls = ["cancel", "halfDuplex", "off"];

    public static void Validate(AudioConfig audio, List<ConfigError> errors)
    {
        if (Array.IndexOf(Drivers, audio.Driver) < 0)
        {
            errors.Add(new("audio.driver", $"'{audio.Driver}' is not one of {string.Join(", ", Drivers)}"));
        }

        if (Array.IndexOf(EchoControls, audio.EchoControl) < 0)
        {
            errors.Add(new("audio.echoControl", $"'{audio.EchoControl}' is not one of {string.Join(", ", EchoControls)}"));
        }

        if (audio.SampleRate is not (8000 or 16000 or 48000))
        {
            errors.Add(new("audio.sampleRate", Text($"{audio.SampleRate} Hz is not one of 8000, 16000, 48000")));
        }

        if (audio.PeriodMs is not (10 or 20))
        {
            errors.Add(new("audio.periodMs", Text($"{audio.PeriodMs} ms is not 10 or 20")));
        }

        if (audio.EchoTailMs is < 20 or > 500)
        {
            errors.Add(new("audio.echoTailMs", Text($"{audio.EchoTailMs} ms is outside 20-500")));
        }

        Within(audio.MicrophoneGainDb, -40, 40, "audio.microphoneGainDb", "dB", errors);
        Within(audio.SpeakerVolumeDb, -60, 20, "audio.speakerVolumeDb", "dB", errors);
        Within(audio.LocalSoundLevelDbfs, -60, 0, "audio.localSoundLevelDbfs", "dBFS", errors);
        if (audio.Driver == "alsa")
        {
            if (string.IsNullOrWhiteSpace(audio.CaptureDevice))
            {
                errors.Add(new("audio.captureDevice", "must name an ALSA PCM"));
            }

            if (string.IsNullOrWhiteSpace(audio.PlaybackDevice))
            {
                errors.Add(new("audio.playbackDevice", "must name an ALSA PCM"));
            }
        }

        if (audio.AlsaConfigPath is { } alsa && !File.Exists(alsa))
        {
            errors.Add(new("audio.alsaConfigPath", $"'{alsa}' does not exist"));
        }

        if (audio.Driver == "wav" && audio.CaptureWavPath is { } wav && !File.Exists(wav))
        {
            errors.Add(new("audio.captureWavPath", $"'{wav}' does not exist"));
        }
    }

    private static void Within(double value, double min, double max, string field, string unit, List<ConfigError> errors)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            errors.Add(new(field, Text($"{value} {unit} is outside {min} … {max}")));
        }
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
