namespace Intercom.Update;

/// <summary>
/// Whether a release archive was signed by a release key the station trusts: an Ed25519 signature (RFC 8032, 64 bytes)
/// over the archive's bytes exactly as uploaded, checked before anything of the archive is read or written.
/// </summary>
internal static class ReleaseSignature
{
    public const int SignatureLength = 64;
    public const int PublicKeyLength = 32;

    /// <summary>True when <paramref name="signature"/> is a valid signature of <paramref name="data"/> by <paramref name="publicKey"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }

        nint key = LibCrypto.EVP_PKEY_new_raw_public_key(LibCrypto.Ed25519, 0, publicKey, (nuint)publicKey.Length);
        if (key == 0)
        {
            return false;
        }

        nint context = LibCrypto.EVP_MD_CTX_new();
        try
        {
            return context != 0
                && LibCrypto.EVP_DigestVerifyInit(context, 0, 0, 0, key) == 1
                && LibCrypto.EVP_DigestVerify(context, signature, (nuint)signature.Length, data, (nuint)data.Length) == 1;
        }
        finally
        {
            if (context != 0)
            {
                LibCrypto.EVP_MD_CTX_free(context);
            }

            LibCrypto.EVP_PKEY_free(key);
        }
    }

    /// <summary>True when any of <paramref name="keys"/> signed <paramref name="data"/>.</summary>
    public static bool VerifyAny(IEnumerable<byte[]> keys, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        foreach (var key in keys)
        {
            if (Verify(key, data, signature))
            {
                return true;
            }
        }

        return false;
    }
}
