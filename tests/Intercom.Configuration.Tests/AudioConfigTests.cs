using System.Text;

namespace Intercom.Configuration.Tests;

/// <summary>The audio section and the media section's call-audio fields: defaults, and each bad value named by its field.</summary>
public class AudioConfigTests
{
    [Fact]
    public void Defaults_are_the_sound_card_at_16_khz_20_ms_with_echo_cancellation()
    {
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(TestConfigs.MinimalJson), out var config, out var errors), string.Join("\n", errors));
        Assert.Equal("alsa", config!.Audio.Driver);
        Assert.Equal(16000, config.Audio.SampleRate);
        Assert.Equal(20, config.Audio.PeriodMs);
        Assert.Equal("cancel", config.Audio.EchoControl);
        Assert.True(config.Media.TelephoneEvent);
        Assert.Equal("auto", config.Media.InBandDtmf);
    }

    [Fact]
    public void Every_invalid_audio_field_is_reported_with_its_reason()
    {
        var json = """
            {
              "station": { "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ] },
              "media": { "inBandDtmf": "sometimes", "opusBitrate": 1000 },
              "audio": {
                "driver": "pulse", "sampleRate": 44100, "periodMs": 5, "echoControl": "maybe", "echoTailMs": 900,
                "microphoneGainDb": 50, "speakerVolumeDb": -70, "localSoundLevelDbfs": 3, "alsaConfigPath": "/nonexistent/asoundrc"
              }
            }
            """;
        Assert.False(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out _, out var errors));
        var messages = errors.Select(e => e.ToString()).ToList();
        Assert.Contains("media.inBandDtmf: 'sometimes' is not one of auto, always, off", messages);
        Assert.Contains("media.opusBitrate: 1000 is outside 6000-510000", messages);
        Assert.Contains("audio.driver: 'pulse' is not one of alsa, null, wav", messages);
        Assert.Contains("audio.sampleRate: 44100 Hz is not one of 8000, 16000, 48000", messages);
        Assert.Contains("audio.periodMs: 5 ms is not 10 or 20", messages);
        Assert.Contains("audio.echoControl: 'maybe' is not one of cancel, halfDuplex, off", messages);
        Assert.Contains("audio.echoTailMs: 900 ms is outside 20-500", messages);
        Assert.Contains("audio.microphoneGainDb: 50 dB is outside -40 … 40", messages);
        Assert.Contains("audio.speakerVolumeDb: -70 dB is outside -60 … 20", messages);
        Assert.Contains("audio.localSoundLevelDbfs: 3 dBFS is outside -60 … 0", messages);
        Assert.Contains("audio.alsaConfigPath: '/nonexistent/asoundrc' does not exist", messages);
    }

    [Fact]
    public void The_alsa_driver_needs_device_names_and_the_wav_driver_an_existing_file()
    {
        var config = TestConfigs.Minimal();
        config.Audio.CaptureDevice = "";
        config.Audio.PlaybackDevice = " ";
        var messages = ConfigValidator.Validate(config).Select(e => e.ToString()).ToList();
        Assert.Contains("audio.captureDevice: must name an ALSA PCM", messages);
        Assert.Contains("audio.playbackDevice: must name an ALSA PCM", messages);

        config = TestConfigs.Minimal();
        config.Audio.Driver = "wav";
        config.Audio.CaptureWavPath = "/nonexistent/door.wav";
        Assert.Equal("audio.captureWavPath: '/nonexistent/door.wav' does not exist", Assert.Single(ConfigValidator.Validate(config)).ToString());
    }
}
