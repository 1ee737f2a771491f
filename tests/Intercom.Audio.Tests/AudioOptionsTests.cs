using System.Text.Json;
using System.Text.Json.Serialization;

namespace Intercom.Audio.Tests;

public sealed partial class AudioOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_serialise_with_the_source_generator()
    {
        var options = new AudioOptions();
        Assert.True(options.TryValidate(out var error), error);

        var json = JsonSerializer.Serialize(options, TestJsonContext.Default.AudioOptions);
        Assert.Contains("\"driver\":\"alsa\"", json, StringComparison.Ordinal);
        Assert.Contains("\"echoControl\":\"cancel\"", json, StringComparison.Ordinal);

        var back = JsonSerializer.Deserialize("""{"driver":"wav","sampleRate":8000,"periodMs":10,"echoControl":"halfDuplex","captureWavPath":"/tmp/in.wav"}""", TestJsonContext.Default.AudioOptions)!;
        Assert.Equal(AudioDriver.Wav, back.Driver);
        Assert.Equal(8000, back.SampleRate);
        Assert.Equal(EchoControl.HalfDuplex, back.EchoControl);
        Assert.Equal("/tmp/in.wav", back.CaptureWavPath);
        Assert.Equal("default", back.PlaybackDevice); // unspecified fields keep their defaults
    }

    [Theory]
    [InlineData(44100, 20, "sampleRate")]
    [InlineData(16000, 30, "periodMs")]
    public void Validation_names_the_field(int rate, int period, string field)
    {
        var options = new AudioOptions { SampleRate = rate, PeriodMs = period };
        Assert.False(options.TryValidate(out var error));
        Assert.StartsWith(field + ":", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Gains_out_of_range_are_refused()
    {
        Assert.False(new AudioOptions { MicrophoneGainDb = 60 }.TryValidate(out var error));
        Assert.StartsWith("microphoneGainDb:", error, StringComparison.Ordinal);
        Assert.False(new AudioOptions { SpeakerVolumeDb = double.NaN }.TryValidate(out error));
        Assert.StartsWith("speakerVolumeDb:", error, StringComparison.Ordinal);
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
    [JsonSerializable(typeof(AudioOptions))]
    private sealed partial class TestJsonContext : JsonSerializerContext;
}
