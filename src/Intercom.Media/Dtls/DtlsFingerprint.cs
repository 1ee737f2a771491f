using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace Intercom.Media.Dtls;

/// <summary>
/// A certificate fingerprint as SDP carries it (RFC 8122 §5, <c>a=fingerprint:sha-256 AB:CD:…</c>): the hash function
/// and the digest of the DER certificate. DTLS-SRTP rests on it: the peer's certificate is accepted only when its
/// digest is this one (RFC 5763 §5). SHA-256, -384 and -512 are understood; SHA-1 and MD5 are refused (RFC 8122 §5:
/// SHA-256 at least).
/// </summary>
public sealed class DtlsFingerprint
{
    private readonly byte[] _digest;

    private DtlsFingerprint(string algorithm, byte[] digest)
    {
        Algorithm = algorithm;
        _digest = digest;
    }

    /// <summary>The hash function's name as SDP writes it (lower case): sha-256, sha-384 or sha-512.</summary>
    public string Algorithm { get; }

    /// <summary>The digest bytes.</summary>
    public ReadOnlySpan<byte> Digest => _digest;

    /// <summary>The SHA-256 fingerprint of a DER certificate.</summary>
    public static DtlsFingerprint Sha256(ReadOnlySpan<byte> certificateDer) => new("sha-256", SHA256.HashData(certificateDer));

    /// <summary>Parses an a=fingerprint value: <c>hash-func SP fingerprint</c>, hex pairs separated by colons.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        value = value.Trim();
        int space = value.IndexOf(' ');
        if (space <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> name = value[..space];
        int length = name.Equals("sha-256", StringComparison.OrdinalIgnoreCase) ? 32
            : name.Equals("sha-384", StringComparison.OrdinalIgnoreCase) ? 48
            : name.Equals("sha-512", StringComparison.OrdinalIgnoreCase) ? 64 : 0;
        ReadOnlySpan<char> hex = value[(space + 1)..].Trim();
        if (length == 0 || hex.Length != (length * 3) - 1)
        {
            return false;
        }

        var digest = new byte[length];
        for (int i = 0; i < length; i++)
        {
            if ((i > 0 && hex[(i * 3) - 1] != ':')
                || !byte.TryParse(hex.Slice(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out digest[i]))
            {
                return false;
            }
        }

        fingerprint = new DtlsFingerprint(name.ToString().ToLowerInvariant(), digest);
        return true;
    }

    /// <summary>Whether <paramref name="certificateDer"/> hashes to this fingerprint (constant time).</summary>
    public bool Matches(ReadOnlySpan<byte> certificateDer)
    {
        Span<byte> digest = stackalloc byte[64];
        int written = Algorithm switch
        {
            "sha-256" => SHA256.HashData(certificateDer, digest),
            "sha-384" => SHA384.HashData(certificateDer, digest),
            _ => SHA512.HashData(certificateDer, digest),
        };
        return CryptographicOperations.FixedTimeEquals(digest[..written], _digest);
    }

    /// <summary>The a=fingerprint value: <c>sha-256 AB:CD:…</c> (upper-case hex, RFC 8122 §5).</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder(Algorithm.Length + (_digest.Length * 3));
        text.Append(Algorithm).Append(' ');
        for (int i = 0; i < _digest.Length; i++)
        {
            if (i > 0)
            {
                text.Append(':');
            }

            text.Append(_digest[i].ToString("X2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
