using Microsoft.Extensions.Logging;

namespace Intercom.Audio;

/// <summary>A silent microphone for machines without sound hardware; delivers frames in real time by the clock.</summary>
public sealed class NullAudioSource(int sampleRate, int periodMs, TimeProvider? time = null, ILogger? logger = null)
    : AudioCaptureDevice("null capture device", sampleRate, periodMs, time, logger)
{
    internal override IPcmInput OpenInput() => new NullPcm(SampleRate, FrameSamples);
}
