using System.Runtime.InteropServices;

namespace Intercom.Audio.Native;

/// <summary>speexdsp's echo canceller ("speex_echo.h") and preprocessor ("speex_preprocess.h"), Debian's libspeexdsp.so.1.</summary>
internal static unsafe partial class LibSpeexDsp
{
    private const string Library = "libspeexdsp.so.1";

    internal const int EchoSetSamplingRate = 24;
    internal const int PreprocessSetDenoise = 0;
    internal const int PreprocessSetNoiseSuppress = 18;
    internal const int PreprocessSetEchoSuppress = 20;
    internal const int PreprocessSetEchoSuppressActive = 22;
    internal const int PreprocessSetEchoState = 24;

    [LibraryImport(Library)]
    internal static partial nint speex_echo_state_init(int frameSize, int filterLength);

    [LibraryImport(Library)]
    internal static partial void speex_echo_state_destroy(nint state);

    [LibraryImport(Library)]
    internal static partial int speex_echo_ctl(SafeSpeexEchoHandle state, int request, void* value);

    [LibraryImport(Library)]
    internal static partial void speex_echo_cancellation(SafeSpeexEchoHandle state, short* recorded, short* played, short* output);

    [LibraryImport(Library)]
    internal static partial nint speex_preprocess_state_init(int frameSize, int sampleRate);

    [LibraryImport(Library)]
    internal static partial void speex_preprocess_state_destroy(nint state);

    [LibraryImport(Library)]
    internal static partial int speex_preprocess_ctl(SafeSpeexPreprocessHandle state, int request, void* value);

    [LibraryImport(Library)]
    internal static partial int speex_preprocess_run(SafeSpeexPreprocessHandle state, short* frame);
}
