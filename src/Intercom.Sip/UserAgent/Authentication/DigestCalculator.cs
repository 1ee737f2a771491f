using System.Security.Cryptography;
using System.Text;

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// The digest computations of RFC 2617 §3.2.2 and RFC 7616 §3.4: HA1 (with the -sess variant), HA2 (auth and auth-int)
/// and the request-digest, with or without qop (RFC 2069 compatibility). Hex output is lower case.
/// </summary>
public static class DigestCalculator
{
    /// <summary>H(data) as lower-case hex.</summary>
    public static string Hash(DigestAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[32];
        int length;
        if (algorithm is DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess)
        {
#pragma warning disable CA5351 // MD5 is what RFC 2617 digest and most SIP servers require; it is not used for anything else.
            length = MD5.HashData(data, digest);
#pragma warning restore CA5351
        }
        else
        {
            length = SHA256.HashData(data, digest);
        }

        return Convert.ToHexStringLower(digest[..length]);
    }

    /// <summary>H(text) over its UTF-8 bytes (RFC 7616 §3.4.1 with charset=UTF-8; ASCII is unchanged).</summary>
    public static string Hash(DigestAlgorithm algorithm, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Hash(algorithm, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// HA1 = H(username:realm:password); for -sess, H(H(username:realm:password):nonce:cnonce) (RFC 7616 §3.4.2).
    /// </summary>
    public static string ComputeHa1(DigestAlgorithm algorithm, string username, string realm, string password, string nonce, string? cnonce)
    {
        string ha1 = Hash(algorithm, string.Concat(username, ":", realm, ":", password));
        return algorithm.IsSession() ? Hash(algorithm, string.Concat(ha1, ":", nonce, ":", cnonce)) : ha1;
    }

    /// <summary>
    /// The request-digest (RFC 7616 §3.4.1): with qop, H(HA1:nonce:nc:cnonce:qop:HA2); without (RFC 2069), H(HA1:nonce:HA2).
    /// HA2 = H(method:digest-uri), or for auth-int H(method:digest-uri:H(entity-body)) (RFC 7616 §3.4.3).
    /// </summary>
    public static string ComputeResponse(DigestAlgorithm algorithm, string ha1, string nonce, string? qop, string? nonceCount,
        string? cnonce, string method, string digestUri, ReadOnlySpan<byte> body = default)
    {
        ArgumentNullException.ThrowIfNull(ha1);
        string a2 = string.Concat(method, ":", digestUri);
        if (string.Equals(qop, "auth-int", StringComparison.OrdinalIgnoreCase))
        {
            a2 = string.Concat(a2, ":", Hash(algorithm, body));
        }

        string ha2 = Hash(algorithm, a2);
        string kd = qop is null
            ? string.Join(':', ha1, nonce, ha2)
            : string.Join(':', ha1, nonce, nonceCount, cnonce, qop, ha2);
        return Hash(algorithm, kd);
    }

    /// <summary>The userhash form of the user name, H(username:realm) (RFC 7616 §3.4.4).</summary>
    public static string HashUsername(DigestAlgorithm algorithm, string username, string realm) =>
        Hash(algorithm, string.Concat(username, ":", realm));
}
