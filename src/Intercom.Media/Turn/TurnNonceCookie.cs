namespace Intercom.Media.Turn;

/// <summary>
/// The "nonce cookie" of RFC 8489 §9.2: a NONCE that starts with "obMatJos2" followed by four base64 characters, the 24
/// bits of the server's STUN security features (§18.1; bit 0, the most significant, "password algorithms"; bit 1
/// "username anonymity"). A server that sets the password-algorithms bit must send PASSWORD-ALGORITHMS with its 401: a
/// challenge without it is a downgrade (§9.2.5) and is not answered.
/// </summary>
internal static class TurnNonceCookie
{
    public const string Prefix = "obMatJos2";

    public const int PasswordAlgorithmsBit = 0x800000;

    public const int UsernameAnonymityBit = 0x400000;

    /// <summary>The security feature bits of <paramref name="nonce"/>, or 0 when it carries no cookie.</summary>
    public static int Features(string nonce)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        if (nonce.Length < Prefix.Length + 4 || !nonce.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return 0;
        }

        int bits = 0;
        for (int i = 0; i < 4; i++)
        {
            int sextet = Base64Value(nonce[Prefix.Length + i]);
            if (sextet < 0)
            {
                return 0;
            }

            bits = (bits << 6) | sextet;
        }

        return bits;
    }

    private static int Base64Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        '/' => 63,
        _ => -1,
    };
}
