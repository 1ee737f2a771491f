using System.Runtime.InteropServices;

namespace Intercom.Audio.Native;

/// <summary>
/// The part of alsa-lib's PCM API (libasound.so.2, "pcm.h", "conf.h", "control.h") the door station uses, and no more.
/// Source-generated marshalling only: no runtime stubs, so NativeAOT stays clean.
/// </summary>
internal static unsafe partial class LibAsound
{
    private const string Library = "libasound.so.2";

    // snd_pcm_stream_t
    internal const int StreamPlayback = 0;
    internal const int StreamCapture = 1;

    // Open mode flags: non-blocking, so a stop request is never stuck inside readi/writei; snd_pcm_wait does the waiting.
    internal const int NonBlock = 0x0001;

    // snd_pcm_access_t SND_PCM_ACCESS_RW_INTERLEAVED, snd_pcm_format_t SND_PCM_FORMAT_S16_LE.
    internal const int AccessRwInterleaved = 3;
    internal const int FormatS16Le = 2;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int snd_pcm_open(out SafePcmHandle pcm, string name, int stream, int mode);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int snd_pcm_open_lconf(out SafePcmHandle pcm, string name, int stream, int mode, SafeAlsaConfigHandle lconf);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_close(nint pcm);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_malloc(out nint parameters);

    [LibraryImport(Library)]
    internal static partial void snd_pcm_hw_params_free(nint parameters);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_any(SafePcmHandle pcm, nint parameters);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_set_rate_resample(SafePcmHandle pcm, nint parameters, uint enable);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_set_access(SafePcmHandle pcm, nint parameters, int access);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_set_format(SafePcmHandle pcm, nint parameters, int format);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_set_channels(SafePcmHandle pcm, nint parameters, uint channels);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_set_rate_near(SafePcmHandle pcm, nint parameters, uint* rate, int* dir);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_set_period_size_near(SafePcmHandle pcm, nint parameters, nuint* frames, int* dir);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_set_buffer_size_near(SafePcmHandle pcm, nint parameters, nuint* frames);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params(SafePcmHandle pcm, nint parameters);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_get_period_size(nint parameters, nuint* frames, int* dir);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_hw_params_get_buffer_size(nint parameters, nuint* frames);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_sw_params_malloc(out nint parameters);

    [LibraryImport(Library)]
    internal static partial void snd_pcm_sw_params_free(nint parameters);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_sw_params_current(SafePcmHandle pcm, nint parameters);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_sw_params_set_start_threshold(SafePcmHandle pcm, nint parameters, nuint frames);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_sw_params_set_avail_min(SafePcmHandle pcm, nint parameters, nuint frames);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_sw_params(SafePcmHandle pcm, nint parameters);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_start(SafePcmHandle pcm);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_recover(SafePcmHandle pcm, int error, int silent);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_wait(SafePcmHandle pcm, int timeoutMs);

    [LibraryImport(Library)]
    internal static partial nint snd_pcm_readi(SafePcmHandle pcm, void* buffer, nuint frames);

    [LibraryImport(Library)]
    internal static partial nint snd_pcm_writei(SafePcmHandle pcm, void* buffer, nuint frames);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_delay(SafePcmHandle pcm, nint* frames);

    [LibraryImport(Library)]
    internal static partial int snd_pcm_drop(SafePcmHandle pcm);

    [LibraryImport(Library)]
    internal static partial nint snd_strerror(int error);

    [LibraryImport(Library)]
    internal static partial int snd_config_top(out SafeAlsaConfigHandle config);

    [LibraryImport(Library)]
    internal static partial int snd_config_delete(nint config);

    [LibraryImport(Library)]
    internal static partial int snd_config_load(SafeAlsaConfigHandle config, nint input);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int snd_input_stdio_open(out nint input, string file, string mode);

    [LibraryImport(Library)]
    internal static partial int snd_input_close(nint input);

    [LibraryImport(Library)]
    internal static partial int snd_card_next(int* card);

    [LibraryImport(Library)]
    internal static partial int snd_card_get_name(int card, nint* name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int snd_device_name_hint(int card, string iface, nint* hints);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint snd_device_name_get_hint(nint hint, string id);

    [LibraryImport(Library)]
    internal static partial int snd_device_name_free_hint(nint hints);

    /// <summary>ALSA's own wording for a negative error code (snd_strerror covers errno values and ALSA's extras).</summary>
    internal static string ErrorText(int error) => Marshal.PtrToStringUTF8(snd_strerror(error)) ?? $"error {error}";
}
