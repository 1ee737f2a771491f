namespace Intercom.Audio;

/// <summary>A speaker (baresip's auplay): pulls one fixed-size mono frame per period from a provider, on its own thread.</summary>
public interface IAudioPlayer
{
    /// <summary>Samples per second of the frames it pulls.</summary>
    int SampleRate { get; }

    /// <summary>Samples per frame (SampleRate × period / 1000).</summary>
    int FrameSamples { get; }

    /// <summary>Starts pulling from <paramref name="provider"/>.</summary>
    void Start(IAudioFrameProvider provider);

    /// <summary>Stops; after it returns, the provider is not called again.</summary>
    void Stop();
}
