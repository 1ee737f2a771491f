using Microsoft.Extensions.Logging;

namespace Intercom.Audio;

/// <summary>
/// Sits between the capture device and the call: takes each raw microphone frame with the matching speaker frame, applies
/// echo control (speexdsp cancellation, or the half-duplex gate), noise suppression and the microphone gain, then hands the
/// frame on. Presented to the call as an <see cref="IAudioSource"/>; runs on the capture thread, allocation-free per frame.
/// </summary>
internal sealed class MicrophoneProcessor : IAudioFrameReceiver, IAudioSource, IDisposable
{
    private readonly EchoReference reference;
    private readonly SpeexProcessor? speex;
    private readonly HalfDuplexGate? gate;
    private readonly short[] played;
    private readonly short[] cleaned;
    private volatile IAudioFrameReceiver? target;
    private float gain = 1f;

    public MicrophoneProcessor(int sampleRate, int frameSamples, AudioOptions options, EchoReference reference, ILogger logger)
    {
        SampleRate = sampleRate;
        FrameSamples = frameSamples;
        this.reference = reference;
        played = new short[frameSamples];
        cleaned = new short[frameSamples];
        var mode = options.EchoControl;
        if (mode == EchoControl.Cancel || options.NoiseSuppression)
        {
            try
            {
                speex = new SpeexProcessor(frameSamples, sampleRate, mode == EchoControl.Cancel, options.EchoTailMs, options.NoiseSuppression);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
            {
                AudioLog.EchoCancellerUnavailable(logger, e.Message);
                mode = mode == EchoControl.Cancel ? EchoControl.HalfDuplex : mode;
            }
        }

        if (mode == EchoControl.HalfDuplex)
        {
            gate = new HalfDuplexGate(frameSamples, sampleRate);
        }

        EchoControl = mode;
    }

    public int SampleRate { get; }

    public int FrameSamples { get; }

    /// <summary>The echo control in effect (half-duplex when cancellation was asked for but speexdsp is missing).</summary>
    public EchoControl EchoControl { get; }

    /// <summary>Linear microphone gain; written by any thread, read per frame.</summary>
    public float LinearGain
    {
        get => Volatile.Read(ref gain);
        set => Volatile.Write(ref gain, value);
    }

    /// <summary>True while a receiver takes the processed frames.</summary>
    public bool HasReceiver => target is not null;

    /// <summary>Called after a receiver is set or removed (the engine starts or stops the devices for it).</summary>
    public Action? ReceiverChanged { get; set; }

    public void Start(IAudioFrameReceiver receiver)
    {
        target = receiver ?? throw new ArgumentNullException(nameof(receiver));
        ReceiverChanged?.Invoke();
    }

    public void Stop()
    {
        target = null;
        ReceiverChanged?.Invoke();
    }

    public void OnFrame(ReadOnlySpan<short> frame)
    {
        // Always consume the reference, so it stays aligned with the microphone even while nobody listens.
        reference.Read(played);
        var receiver = target;
        if (receiver is null)
        {
            return;
        }

        if (speex is not null)
        {
            speex.Process(frame, played, cleaned);
        }
        else
        {
            frame.CopyTo(cleaned);
        }

        gate?.Process(played, cleaned);
        Gain.Apply(cleaned, LinearGain);
        receiver.OnFrame(cleaned);
    }

    public void Dispose() => speex?.Dispose();
}
