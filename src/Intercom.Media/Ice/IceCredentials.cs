using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Intercom.Media.Ice;

/// <summary>
/// An agent's username fragment and password (RFC 8445 §5.3, RFC 8839 §5.4): they key the short-term credentials of the
/// connectivity checks, so media from anyone who has not seen our SDP fails MESSAGE-INTEGRITY.
/// </summary>
public sealed record IceCredentials(string Ufrag, string Password)
{
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>
    /// New random credentials: 8 ice-chars (48 bits) of ufrag and 24 (144 bits) of password, above RFC 8445 §5.3's 24 and
    /// 128 bits. Every session gets new ones (a restart too, RFC 8445 §9).
    /// </summary>
    public static IceCredentials Generate() => new(Random(8), Random(24));

    /// <summary>
    /// RFC 8839 §5.4: ice-ufrag is 4–256 ice-chars, ice-pwd 22–256. A shorter password would make the checks' integrity
    /// guessable, so it is refused rather than used.
    /// </summary>
    public static bool TryCreate(string? ufrag, string? password, [NotNullWhen(true)] out IceCredentials? credentials, [NotNullWhen(false)] out string? error)
    {
        credentials = null;
        if (ufrag is null || ufrag.Length is < 4 or > 256 || !IceGrammar.IsIceChars(ufrag))
        {
            error = "ice-ufrag must be 4 to 256 ice-chars";
            return false;
        }

        if (password is null || password.Length is < 22 or > 256 || !IceGrammar.IsIceChars(password))
        {
            error = "ice-pwd must be 22 to 256 ice-chars";
            return false;
        }

        credentials = new IceCredentials(ufrag, password);
        error = null;
        return true;
    }

    /// <summary>Never the password: these records end up in logs.</summary>
    public override string ToString() => $"ufrag {Ufrag}";

    private static string Random(int length) => RandomNumberGenerator.GetString(IceChars, length);
}
