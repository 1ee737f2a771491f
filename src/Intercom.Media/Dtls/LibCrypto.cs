using System.Runtime.InteropServices;

namespace Intercom.Media.Dtls;

/// <summary>
/// The libcrypto (OpenSSL 3) entry points behind DTLS: memory BIOs (datagrams in and out stay with the RTP socket),
/// DER certificate and key import, and the thread's error queue.
/// </summary>
internal static unsafe partial class LibCrypto
{
    public const string Library = "libcrypto.so.3";

    public const int ControlReset = 1;
    public const int ControlPending = 10;
    public const int ControlSetMemoryEofReturn = 130;

    [LibraryImport(Library, EntryPoint = "BIO_s_mem")]
    public static partial IntPtr MemoryBioMethod();

    [LibraryImport(Library, EntryPoint = "BIO_new")]
    public static partial IntPtr BioNew(IntPtr method);

    [LibraryImport(Library, EntryPoint = "BIO_free")]
    public static partial int BioFree(IntPtr bio);

    [LibraryImport(Library, EntryPoint = "BIO_write")]
    public static partial int BioWrite(IntPtr bio, byte* data, int length);

    [LibraryImport(Library, EntryPoint = "BIO_read")]
    public static partial int BioRead(IntPtr bio, byte* data, int length);

    [LibraryImport(Library, EntryPoint = "BIO_ctrl")]
    public static partial nint BioControl(IntPtr bio, int command, nint larg, IntPtr parg);

    [LibraryImport(Library, EntryPoint = "d2i_X509")]
    public static partial X509Handle DecodeX509(IntPtr reuse, byte** input, nint length);

    [LibraryImport(Library, EntryPoint = "i2d_X509")]
    public static partial int EncodeX509(X509Handle certificate, byte** output);

    [LibraryImport(Library, EntryPoint = "X509_free")]
    public static partial void X509Free(IntPtr certificate);

    /// <summary>Reads a DER private key of any type, PKCS#8 PrivateKeyInfo included.</summary>
    [LibraryImport(Library, EntryPoint = "d2i_AutoPrivateKey")]
    public static partial PrivateKeyHandle DecodePrivateKey(IntPtr reuse, byte** input, nint length);

    [LibraryImport(Library, EntryPoint = "EVP_PKEY_free")]
    public static partial void PrivateKeyFree(IntPtr key);

    [LibraryImport(Library, EntryPoint = "ERR_get_error")]
    public static partial nuint GetError();

    [LibraryImport(Library, EntryPoint = "ERR_error_string_n")]
    public static partial void ErrorString(nuint error, byte* buffer, nuint length);

    /// <summary>The oldest error of the thread's queue as OpenSSL words it (for the log), and the queue emptied.</summary>
    public static string TakeErrors()
    {
        nuint error = GetError();
        string text = "no OpenSSL error";
        if (error != 0)
        {
            byte* buffer = stackalloc byte[256];
            ErrorString(error, buffer, 256);
            text = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((IntPtr)buffer) ?? text;
        }

        ClearError();
        return text;
    }

    [LibraryImport(Library, EntryPoint = "ERR_clear_error")]
    public static partial void ClearError();
}
