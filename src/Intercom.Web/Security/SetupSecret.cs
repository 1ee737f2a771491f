using System.Security.Cryptography;
using System.Text;
using Intercom.Configuration;

namespace Intercom.Web.Security;

/// <summary>
/// The one-time secret that makes the first start belong to the owner: while no admin password is set, POST /api/setup
/// needs it. It is made at the first start without a password and shown only where the owner of the device looks: the
/// journal/console (logged once at start) and a file beside the configuration, mode 0600 (root and the service only).
/// Whoever merely reaches the port first cannot claim the station. The file goes once the password is set.
/// 100 random bits as 20 characters of RFC 4648 base32 in groups of four, easy to type from a console.
/// </summary>
internal sealed class SetupSecret
{
    public const string FileName = "web-setup-secret";

    private readonly byte[] _value;

    private SetupSecret(string path, string text)
    {
        Path = path;
        Text = text;
        _value = Encoding.ASCII.GetBytes(Normalise(text));
    }

    public string Path { get; }

    /// <summary>As shown to the owner: "ABCD-EFGH-IJKL-MNOP-QRST".</summary>
    public string Text { get; }

    /// <summary>The secret kept in <see cref="FileName"/>, or a new one written there.</summary>
    public static SetupSecret LoadOrCreate(string stateDirectory)
    {
        var path = System.IO.Path.Combine(stateDirectory, FileName);
        try
        {
            var kept = File.ReadAllText(path).Trim();
            if (Normalise(kept).Length == 20)
            {
                return new SetupSecret(path, kept);
            }
        }
        catch (FileNotFoundException)
        {
        }

        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder();
        for (var i = 0; i < 20; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                text.Append('-');
            }

            text.Append(alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]);
        }

        ConfigStore.WriteAtomically(path, Encoding.ASCII.GetBytes(text + "\n"));
        return new SetupSecret(path, text.ToString());
    }

    /// <summary>
    /// After the physical reset: a new secret, whatever the file held. The old one was shown at an earlier first start,
    /// where someone who could read the journal then (an installer, a former tenant) may have seen it.
    /// </summary>
    public static SetupSecret Renew(string stateDirectory)
    {
        Discard(stateDirectory);
        return LoadOrCreate(stateDirectory);
    }

    /// <summary>Removes a kept secret: the next <see cref="LoadOrCreate"/> makes a new one.</summary>
    public static void Discard(string stateDirectory) => File.Delete(System.IO.Path.Combine(stateDirectory, FileName));

    /// <summary>Compared in fixed time; case, spaces and dashes as typed do not matter.</summary>
    public bool Matches(string? presented)
    {
        if (presented is null || presented.Length > 100)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Normalise(presented)), _value);
    }

    /// <summary>After the password is set: the secret is spent.</summary>
    public void Remove()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Worthless now that a password exists: setup is refused whatever is presented.
        }
    }

    private static string Normalise(string text)
    {
        var plain = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                plain.Append(char.ToUpperInvariant(c));
            }
        }

        return plain.ToString();
    }
}
