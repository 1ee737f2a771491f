using Intercom.Audio.Native;

namespace Intercom.Audio;

/// <summary>
/// The microphone's signal processing through speexdsp: the MDF acoustic echo canceller (speex_echo_cancellation) fed
/// with what the speaker played, then the preprocessor, which suppresses the residual echo the linear filter leaves
/// (SPEEX_PREPROCESS_SET_ECHO_STATE) and, when enabled, stationary noise. One frame in, one frame out; allocation-free.
/// </summary>
internal sealed unsafe class SpeexProcessor : IDisposable
{
    private readonly SafeSpeexEchoHandle? echo;
    private readonly SafeSpeexPreprocessHandle preprocess;

    /// <exception cref="DllNotFoundException">libspeexdsp.so.1 is not installed.</exception>
    public SpeexProcessor(int frameSamples, int sampleRate, bool cancelEcho, int tailMs, bool suppressNoise)
    {
        FrameSamples = frameSamples;
        if (cancelEcho)
        {
            // speexdsp's manual: a filter about a third of the room's reverberation time, but at least the echo path delay.
            echo = new SafeSpeexEchoHandle(LibSpeexDsp.speex_echo_state_init(frameSamples, sampleRate * tailMs / 1000));
            if (echo.IsInvalid)
            {
                throw new InvalidOperationException("speex_echo_state_init failed");
            }

            var rate = sampleRate;
            _ = LibSpeexDsp.speex_echo_ctl(echo, LibSpeexDsp.EchoSetSamplingRate, &rate);
        }

        preprocess = new SafeSpeexPreprocessHandle(LibSpeexDsp.speex_preprocess_state_init(frameSamples, sampleRate));
        if (preprocess.IsInvalid)
        {
            echo?.Dispose();
            throw new InvalidOperationException("speex_preprocess_state_init failed");
        }

        var denoise = suppressNoise ? 1 : 0;
        _ = LibSpeexDsp.speex_preprocess_ctl(preprocess, LibSpeexDsp.PreprocessSetDenoise, &denoise);
        if (echo is not null)
        {
            _ = LibSpeexDsp.speex_preprocess_ctl(preprocess, LibSpeexDsp.PreprocessSetEchoState, (void*)echo.DangerousGetHandle());
        }
    }

    public int FrameSamples { get; }

    public bool CancelsEcho => echo is not null;

    /// <summary>Cleans one microphone frame; <paramref name="played"/> is the speaker frame heard at the same time (ignored without AEC).</summary>
    public void Process(ReadOnlySpan<short> microphone, ReadOnlySpan<short> played, Span<short> output)
    {
        if (microphone.Length != FrameSamples || played.Length != FrameSamples || output.Length != FrameSamples)
        {
            throw new ArgumentException("frames must have FrameSamples samples");
        }

        fixed (short* mic = microphone)
        fixed (short* play = played)
        fixed (short* result = output)
        {
            if (echo is not null)
            {
                LibSpeexDsp.speex_echo_cancellation(echo, mic, play, result);
            }
            else
            {
                microphone.CopyTo(output);
            }

            _ = LibSpeexDsp.speex_preprocess_run(preprocess, result);
        }
    }

    public void Dispose()
    {
        preprocess.Dispose();
        echo?.Dispose();
    }
}
