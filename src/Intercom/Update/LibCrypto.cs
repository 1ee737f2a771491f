using System.Runtime.InteropServices;

namespace Intercom.Update;

/// <summary>
/// The few libcrypto calls that verify an Ed25519 signature (RFC 8032). .NET has no Ed25519; the system OpenSSL 3 that
/// .NET itself loads on Linux has had it since 1.1.1. Only verification: signing happens on the release machine
/// (publish.ps1 with the openssl command line), never on a station.
/// </summary>
internal static partial class LibCrypto
{
    private const string Library = "libcrypto.so.3";

    /// <summary>EVP_PKEY_ED25519 (NID_ED25519) in OpenSSL's obj_mac.h.</summary>
    public const int Ed25519 = 1087;

    [LibraryImport(Library)]
    public static partial nint EVP_PKEY_new_raw_public_key(int type, nint engine, ReadOnlySpan<byte> key, nuint keyLength);

    [LibraryImport(Library)]
    public static partial void EVP_PKEY_free(nint key);

    [LibraryImport(Library)]
    public static partial nint EVP_MD_CTX_new();

    [LibraryImport(Library)]
    public static partial void EVP_MD_CTX_free(nint context);

    // Ed25519 is a one-shot signature: no digest (NULL) and EVP_DigestVerify, not Update/Final (EVP_PKEY-ED25519(7)).
    [LibraryImport(Library)]
    public static partial int EVP_DigestVerifyInit(nint context, nint keyContext, nint digest, nint engine, nint key);

    [LibraryImport(Library)]
    public static partial int EVP_DigestVerify(nint context, ReadOnlySpan<byte> signature, nuint signatureLength, ReadOnlySpan<byte> data, nuint dataLength);
}
