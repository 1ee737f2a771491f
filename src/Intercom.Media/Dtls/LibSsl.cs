using System.Runtime.InteropServices;

namespace Intercom.Media.Dtls;

/// <summary>
/// The few libssl (OpenSSL 3) entry points DTLS-SRTP needs (RFC 5764), bound by source-generated P/Invoke: the same
/// <c>libssl.so.3</c> .NET itself loads on Linux for its TLS, so the station needs no library of its own. Macros of
/// ssl.h that are really <c>SSL_ctrl</c> calls (DTLSv1_get_timeout, DTLSv1_handle_timeout, SSL_set_mtu) are spelled out
/// with their control numbers.
/// </summary>
internal static unsafe partial class LibSsl
{
    public const string Library = "libssl.so.3";

    public const int ErrorNone = 0;
    public const int ErrorSsl = 1;
    public const int ErrorWantRead = 2;
    public const int ErrorWantWrite = 3;
    public const int ErrorSyscall = 5;
    public const int ErrorZeroReturn = 6;

    public const int VerifyPeer = 0x01;
    public const int VerifyFailIfNoPeerCertificate = 0x02;

    public const ulong OptionNoQueryMtu = 1UL << 12;

    public const int ControlSetMtu = 17;
    public const int ControlDtlsGetTimeout = 73;
    public const int ControlDtlsHandleTimeout = 74;
    public const int ControlSetMinProtocolVersion = 123;
    public const int ControlSetMaxProtocolVersion = 124;

    /// <summary>DTLS 1.2 on the wire (RFC 6347 §4.1: 254.253).</summary>
    public const int Dtls12Version = 0xFEFD;

    [LibraryImport(Library, EntryPoint = "DTLS_method")]
    public static partial IntPtr DtlsMethod();

    [LibraryImport(Library, EntryPoint = "SSL_CTX_new")]
    public static partial SslContextHandle ContextNew(IntPtr method);

    [LibraryImport(Library, EntryPoint = "SSL_CTX_free")]
    public static partial void ContextFree(IntPtr context);

    [LibraryImport(Library, EntryPoint = "SSL_CTX_use_certificate")]
    public static partial int ContextUseCertificate(SslContextHandle context, X509Handle certificate);

    [LibraryImport(Library, EntryPoint = "SSL_CTX_use_PrivateKey")]
    public static partial int ContextUsePrivateKey(SslContextHandle context, PrivateKeyHandle key);

    [LibraryImport(Library, EntryPoint = "SSL_CTX_check_private_key")]
    public static partial int ContextCheckPrivateKey(SslContextHandle context);

    /// <summary>Returns 0 on success (unlike most of OpenSSL).</summary>
    [LibraryImport(Library, EntryPoint = "SSL_CTX_set_tlsext_use_srtp", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ContextSetUseSrtp(SslContextHandle context, string profiles);

    [LibraryImport(Library, EntryPoint = "SSL_CTX_set_verify")]
    public static partial void ContextSetVerify(SslContextHandle context, int mode, delegate* unmanaged<int, IntPtr, int> callback);

    [LibraryImport(Library, EntryPoint = "SSL_CTX_set_options")]
    public static partial ulong ContextSetOptions(SslContextHandle context, ulong options);

    [LibraryImport(Library, EntryPoint = "SSL_CTX_ctrl")]
    public static partial nint ContextControl(SslContextHandle context, int command, nint larg, IntPtr parg);

    [LibraryImport(Library, EntryPoint = "SSL_new")]
    public static partial SslHandle New(SslContextHandle context);

    [LibraryImport(Library, EntryPoint = "SSL_free")]
    public static partial void Free(IntPtr ssl);

    /// <summary>The SSL object owns both BIOs afterwards (SSL_free frees them).</summary>
    [LibraryImport(Library, EntryPoint = "SSL_set_bio")]
    public static partial void SetBio(SslHandle ssl, IntPtr readBio, IntPtr writeBio);

    [LibraryImport(Library, EntryPoint = "SSL_set_connect_state")]
    public static partial void SetConnectState(SslHandle ssl);

    [LibraryImport(Library, EntryPoint = "SSL_set_accept_state")]
    public static partial void SetAcceptState(SslHandle ssl);

    [LibraryImport(Library, EntryPoint = "SSL_do_handshake")]
    public static partial int DoHandshake(SslHandle ssl);

    [LibraryImport(Library, EntryPoint = "SSL_read")]
    public static partial int Read(SslHandle ssl, byte* buffer, int length);

    [LibraryImport(Library, EntryPoint = "SSL_shutdown")]
    public static partial int Shutdown(SslHandle ssl);

    [LibraryImport(Library, EntryPoint = "SSL_get_error")]
    public static partial int GetError(SslHandle ssl, int result);

    [LibraryImport(Library, EntryPoint = "SSL_ctrl")]
    public static partial nint Control(SslHandle ssl, int command, nint larg, IntPtr parg);

    [LibraryImport(Library, EntryPoint = "SSL_set_options")]
    public static partial ulong SetOptions(SslHandle ssl, ulong options);

    /// <summary>The SRTP_PROTECTION_PROFILE agreed by use_srtp (RFC 5764 §4.1.2), or null.</summary>
    [LibraryImport(Library, EntryPoint = "SSL_get_selected_srtp_profile")]
    public static partial SrtpProtectionProfile* GetSelectedSrtpProfile(SslHandle ssl);

    [LibraryImport(Library, EntryPoint = "SSL_export_keying_material")]
    public static partial int ExportKeyingMaterial(SslHandle ssl, byte* output, nuint length, byte* label, nuint labelLength,
        byte* context, nuint contextLength, int useContext);

    [LibraryImport(Library, EntryPoint = "SSL_get1_peer_certificate")]
    public static partial X509Handle GetPeerCertificate(SslHandle ssl);

    [LibraryImport(Library, EntryPoint = "DTLS_set_timer_cb")]
    public static partial void SetTimerCallback(SslHandle ssl, delegate* unmanaged<IntPtr, uint, uint> callback);

    [LibraryImport(Library, EntryPoint = "SSL_set_ex_data")]
    public static partial int SetExData(SslHandle ssl, int index, IntPtr data);

    [LibraryImport(Library, EntryPoint = "SSL_get_ex_data")]
    public static partial IntPtr GetExData(IntPtr ssl, int index);

    /// <summary>struct srtp_protection_profile_st: a name and the RFC 5764 §4.1.2 profile number.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SrtpProtectionProfile
    {
        public IntPtr Name;
        public nuint Id;
    }

    /// <summary>struct timeval as DTLSv1_get_timeout fills it (64-bit Linux: two longs).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeValue
    {
        public nint Seconds;
        public nint Microseconds;
    }
}
