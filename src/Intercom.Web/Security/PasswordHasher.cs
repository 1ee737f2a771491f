using System.Security.Cryptography;
using System.Text;

namespace Intercom.Web.Security;

/// <summary>
/// PBKDF2 with HMAC-SHA-512 (RFC 8018 §5.2) at OWASP's 210,000 iterations, a 16-byte random salt per password, a
/// fixed-time comparison. About a second on a Raspberry Pi 4, which is why login attempts are throttled before hashing.
/// </summary>
internal static class PasswordHasher
{
    public const string Algorithm = "PBKDF2-SHA512";
    public const int DefaultIterations = 210_000;
    public const int MinLength = 8;
    public const int MaxLength = 256;
    private const int SaltBytes = 16;
    private const int KeyBytes = 64;

    public static PasswordHash Hash(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, KeyBytes);
        return new PasswordHash
        {
            Algorithm = Algorithm,
            Iterations = iterations,
            Salt = Convert.ToBase64String(salt),
            Hash = Convert.ToBase64String(key),
        };
    }

    public static bool Verify(string password, PasswordHash stored)
    {
        if (stored.Algorithm != Algorithm || stored.Iterations is < 1 or > 10_000_000 || password.Length > MaxLength)
        {
            return false;
        }

        byte[] salt;
        byte[] expected;
        try
        {
            salt = Convert.FromBase64String(stored.Salt);
            expected = Convert.FromBase64String(stored.Hash);
        }
        catch (FormatException)
        {
            return false;
        }

        if (expected.Length != KeyBytes)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, stored.Iterations, HashAlgorithmName.SHA512, KeyBytes);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Why a new password is refused, or null when it is acceptable.</summary>
    public static string? Weakness(string? password) => password switch
    {
        null or "" => "a password is required",
        { Length: < MinLength } => $"must be at least {MinLength} characters",
        { Length: > MaxLength } => $"must be at most {MaxLength} characters",
        _ => null,
    };
}
