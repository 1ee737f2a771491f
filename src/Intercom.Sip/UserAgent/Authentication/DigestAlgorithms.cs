namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>Names and facts about <see cref="DigestAlgorithm"/> values.</summary>
public static class DigestAlgorithms
{
    /// <summary>The token as written in challenges and credentials, e.g. "SHA-256-sess".</summary>
    public static string ToToken(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 => "MD5",
        DigestAlgorithm.Md5Sess => "MD5-sess",
        DigestAlgorithm.Sha256 => "SHA-256",
        _ => "SHA-256-sess",
    };

    /// <summary>True for the "-sess" variants, whose HA1 includes nonce and cnonce (RFC 7616 §3.4.2).</summary>
    public static bool IsSession(this DigestAlgorithm algorithm) => algorithm is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess;

    /// <summary>Length of a hex digest in characters: 32 for MD5, 64 for SHA-256.</summary>
    public static int HexLength(this DigestAlgorithm algorithm) => algorithm is DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess ? 32 : 64;

    /// <summary>Parses an algorithm token case-insensitively (RFC 7616 §3.3: tokens are case-insensitive).</summary>
    public static bool TryParse(ReadOnlySpan<char> token, out DigestAlgorithm algorithm)
    {
        if (token.Equals("MD5", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Md5;
            return true;
        }

        if (token.Equals("MD5-sess", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Md5Sess;
            return true;
        }

        if (token.Equals("SHA-256", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha256;
            return true;
        }

        if (token.Equals("SHA-256-sess", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha256Sess;
            return true;
        }

        algorithm = default;
        return false;
    }

    /// <summary>Preference when a server offers several (RFC 8760 §2.4 allows local policy): the SHA-256 family over MD5.</summary>
    internal static int Strength(this DigestAlgorithm algorithm) => algorithm is DigestAlgorithm.Sha256 or DigestAlgorithm.Sha256Sess ? 2 : 1;
}
