using Microsoft.Extensions.Logging;

namespace Intercom.Audio;

/// <summary>A speaker that discards everything, pulling frames in real time by the clock.</summary>
public sealed class NullAudioPlayer(int sampleRate, int periodMs, TimeProvider? time = null, ILogger? logger = null)
    : AudioPlaybackDevice("null playback device", sampleRate, periodMs, time, logger)
{
    internal override IPcmOutput OpenOutput() => new NullPcm(SampleRate, FrameSamples);
}
