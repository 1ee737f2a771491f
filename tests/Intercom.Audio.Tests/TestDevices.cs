namespace Intercom.Audio.Tests;

/// <summary>A capture device whose opening the test decides (a scripted or simulated card).</summary>
internal sealed class TestCapture(TimeProvider time, Func<IPcmInput> open, int sampleRate = 16000, int periodMs = 20)
    : AudioCaptureDevice("test capture", sampleRate, periodMs, time, logger: null)
{
    internal override IPcmInput OpenInput() => open();
}

/// <summary>A playback device whose opening the test decides (a scripted or simulated card).</summary>
internal sealed class TestPlayback(TimeProvider time, Func<IPcmOutput> open, int sampleRate = 16000, int periodMs = 20)
    : AudioPlaybackDevice("test playback", sampleRate, periodMs, time, logger: null)
{
    internal override IPcmOutput OpenOutput() => open();
}
