using System.Text.Json.Serialization;

namespace Intercom.Audio;

/// <summary>Which audio devices the station uses.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AudioDriver>))]
public enum AudioDriver
{
    /// <summary>ALSA sound cards (libasound).</summary>
    [JsonStringEnumMemberName("alsa")]
    Alsa,

    /// <summary>No sound: a silent microphone and a speaker that discards, both in real time.</summary>
    [JsonStringEnumMemberName("null")]
    Null,

    /// <summary>WAV files: the microphone plays one, the speaker records into another.</summary>
    [JsonStringEnumMemberName("wav")]
    Wav,
}
