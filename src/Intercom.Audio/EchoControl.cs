using System.Text.Json.Serialization;

namespace Intercom.Audio;

/// <summary>How the station keeps the speaker out of the microphone.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EchoControl>))]
public enum EchoControl
{
    /// <summary>Nothing (a headset, or a separate handset).</summary>
    [JsonStringEnumMemberName("off")]
    Off,

    /// <summary>Acoustic echo cancellation (speexdsp) with residual echo suppression: full duplex.</summary>
    [JsonStringEnumMemberName("cancel")]
    Cancel,

    /// <summary>Mutes the microphone while the far end speaks, with a hangover: for rooms where cancellation fails.</summary>
    [JsonStringEnumMemberName("halfDuplex")]
    HalfDuplex,
}
