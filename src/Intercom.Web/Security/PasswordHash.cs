namespace Intercom.Web.Security;

/// <summary>A salted, slow hash of the admin password as kept in the state file (never the password itself).</summary>
internal sealed class PasswordHash
{
    /// <summary>"PBKDF2-SHA512": the only one so far; the name is stored so a later one can be told apart.</summary>
    public string Algorithm { get; set; } = "";

    public int Iterations { get; set; }

    /// <summary>Base64 of 16 random bytes.</summary>
    public string Salt { get; set; } = "";

    /// <summary>Base64 of the 64-byte derived key.</summary>
    public string Hash { get; set; } = "";
}
