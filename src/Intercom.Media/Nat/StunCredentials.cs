using System.Security.Cryptography;
using System.Text;

namespace Intercom.Media.Nat;

/// <summary>
/// The MESSAGE-INTEGRITY keys of RFC 8489 §9: short-term (ICE, §9.1.1: the password itself, after OpaqueString/SASLprep
/// preparation) and long-term (TURN, §9.2.2: MD5(username ":" realm ":" password), the password prepared the same way).
/// </summary>
public static class StunCredentials
{
    /// <summary>The short-term key (§9.1.1): the prepared password in UTF-8.</summary>
    public static byte[] ShortTermKey(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return Encoding.UTF8.GetBytes(Prepare(password));
    }

    /// <summary>The long-term key with MD5 (§9.2.2), as RFC 5389 and TURN servers compute it.</summary>
    public static byte[] LongTermKey(string username, string realm, string password)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentNullException.ThrowIfNull(password);

        // MD5 is what the protocol specifies for this key (not a choice of ours); it is keyed material for HMAC-SHA1.
#pragma warning disable CA5351
        return MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{Prepare(password)}"));
#pragma warning restore CA5351
    }

    /// <summary>
    /// The password preparation of RFC 4013 (SASLprep) that RFC 5389 asks for, as far as it changes real passwords:
    /// characters "commonly mapped to nothing" (RFC 3454 B.1, e.g. the soft hyphen) are removed, non-ASCII spaces become
    /// U+0020, then Unicode NFKC where the runtime can (with ICU; the firmware runs with invariant globalization, where a
    /// password with compatibility characters such as "ª" must be configured in its prepared form). Passwords of
    /// printable ASCII are unchanged.
    /// </summary>
    public static string Prepare(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (Ascii.IsValid(password))
        {
            return password;
        }

        var mapped = new StringBuilder(password.Length);
        foreach (char c in password)
        {
            if (MappedToNothing(c))
            {
                continue;
            }

            mapped.Append(IsNonAsciiSpace(c) ? ' ' : c);
        }

        string result = mapped.ToString();
        try
        {
            return result.Normalize(NormalizationForm.FormKC);
        }
        catch (Exception e) when (e is PlatformNotSupportedException or ArgumentException)
        {
            // Without ICU (invariant globalization) non-ASCII normalization may be unavailable: use what was mapped.
            return result;
        }
    }

    private static bool MappedToNothing(char c) => c is '\u00AD' or '\u034F' or '\u1806' or (>= '\u180B' and <= '\u180D')
        or (>= '\u200B' and <= '\u200D') or '\u2060' or (>= '\uFE00' and <= '\uFE0F') or '\uFEFF';

    private static bool IsNonAsciiSpace(char c) => c is '\u00A0' or '\u1680' or (>= '\u2000' and <= '\u200A') or '\u202F'
        or '\u205F' or '\u3000';
}
