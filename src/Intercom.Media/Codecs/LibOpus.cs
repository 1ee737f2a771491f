using System.Runtime.InteropServices;

namespace Intercom.Media.Codecs;

/// <summary>
/// The system libopus (Debian package libopus0) called through unmanaged function pointers: no marshalling, no
/// allocation per frame, and NativeAOT-safe. Concentus only looks for "libopus.so" (the -dev symlink), which a device
/// rarely has, and its managed port allocates tens of kilobytes per frame, so the codec wrappers prefer this.
/// </summary>
internal static unsafe class LibOpus
{
    public const int ApplicationVoip = 2048;
    public const int SetBitrateRequest = 4002;
    public const int SetComplexityRequest = 4010;
    public const int SetInbandFecRequest = 4012;
    public const int SetPacketLossPercentRequest = 4014;
    public const int SetSignalRequest = 4024;
    public const int ResetStateRequest = 4028;
    public const int SignalVoice = 3001;

    private static readonly delegate* unmanaged<int, int, int, int*, IntPtr> EncoderCreate;
    private static readonly delegate* unmanaged<IntPtr, short*, int, byte*, int, int> EncodeFunction;
    private static readonly delegate* unmanaged<IntPtr, int, int, int> EncoderCtl;
    private static readonly delegate* unmanaged<IntPtr, void> EncoderDestroy;
    private static readonly delegate* unmanaged<int, int, int*, IntPtr> DecoderCreate;
    private static readonly delegate* unmanaged<IntPtr, byte*, int, short*, int, int, int> DecodeFunction;
    private static readonly delegate* unmanaged<IntPtr, int, int> DecoderCtl;
    private static readonly delegate* unmanaged<IntPtr, void> DecoderDestroy;

    static LibOpus()
    {
        if (!NativeLibrary.TryLoad("libopus.so.0", out IntPtr library) && !NativeLibrary.TryLoad("libopus.so", out library))
        {
            return;
        }

        try
        {
            EncoderCreate = (delegate* unmanaged<int, int, int, int*, IntPtr>)NativeLibrary.GetExport(library, "opus_encoder_create");
            EncodeFunction = (delegate* unmanaged<IntPtr, short*, int, byte*, int, int>)NativeLibrary.GetExport(library, "opus_encode");
            // opus_*_ctl are variadic; integer arguments travel as for a fixed signature on x86-64 SysV and AArch64 Linux.
            EncoderCtl = (delegate* unmanaged<IntPtr, int, int, int>)NativeLibrary.GetExport(library, "opus_encoder_ctl");
            EncoderDestroy = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(library, "opus_encoder_destroy");
            DecoderCreate = (delegate* unmanaged<int, int, int*, IntPtr>)NativeLibrary.GetExport(library, "opus_decoder_create");
            DecodeFunction = (delegate* unmanaged<IntPtr, byte*, int, short*, int, int, int>)NativeLibrary.GetExport(library, "opus_decode");
            DecoderCtl = (delegate* unmanaged<IntPtr, int, int>)NativeLibrary.GetExport(library, "opus_decoder_ctl");
            DecoderDestroy = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(library, "opus_decoder_destroy");
            IsAvailable = true;
        }
        catch (EntryPointNotFoundException)
        {
            IsAvailable = false;
        }
    }

    /// <summary>True if libopus was found.</summary>
    public static bool IsAvailable { get; }

    public static IntPtr CreateEncoder(int sampleRate, int channels, int application)
    {
        int error;
        IntPtr encoder = EncoderCreate(sampleRate, channels, application, &error);
        return error == 0 ? encoder : IntPtr.Zero;
    }

    public static int SetEncoder(IntPtr encoder, int request, int value) => EncoderCtl(encoder, request, value);

    public static int Encode(IntPtr encoder, ReadOnlySpan<short> pcm, Span<byte> output)
    {
        fixed (short* input = pcm)
        fixed (byte* data = output)
        {
            return EncodeFunction(encoder, input, pcm.Length, data, output.Length);
        }
    }

    public static void DestroyEncoder(IntPtr encoder) => EncoderDestroy(encoder);

    public static IntPtr CreateDecoder(int sampleRate, int channels)
    {
        int error;
        IntPtr decoder = DecoderCreate(sampleRate, channels, &error);
        return error == 0 ? decoder : IntPtr.Zero;
    }

    /// <summary>Decodes; an empty payload asks for concealment, <paramref name="fec"/> for the FEC data of the payload.</summary>
    public static int Decode(IntPtr decoder, ReadOnlySpan<byte> payload, Span<short> pcm, bool fec)
    {
        fixed (byte* data = payload)
        fixed (short* output = pcm)
        {
            return DecodeFunction(decoder, payload.IsEmpty ? null : data, payload.Length, output, pcm.Length, fec ? 1 : 0);
        }
    }

    public static void ResetDecoder(IntPtr decoder) => DecoderCtl(decoder, ResetStateRequest);

    public static void DestroyDecoder(IntPtr decoder) => DecoderDestroy(decoder);
}
