namespace Intercom.Update;

/// <summary>
/// The Ed25519 public keys a release may be signed with: the project's release key, built into the binary, and any in
/// the keys directory (<c>/usr/lib/intercom/release-keys.d</c>, or <c>INTERCOM_RELEASE_KEYS</c>), which only root can
/// write: for a key rotation shipped in a signed release, or a test's own key. Nothing the web page or the
/// configuration can change adds a key, so an administrator's password alone never installs unsigned firmware.
/// </summary>
internal static class ReleaseKeys
{
    /// <summary>The project's release key (its private half signs releases in publish.ps1 and is never in the repository).</summary>
    public const string Project = "pdaud40sng+PrqBW3xWw16v0phL76Ol3rdobQGZwi+c=";

    public const string DefaultDirectory = "/usr/lib/intercom/release-keys.d";

    // SubjectPublicKeyInfo of an Ed25519 key (RFC 8410 §4): this prefix, then the 32 key bytes.
    private static readonly byte[] SpkiPrefix = Convert.FromHexString("302a300506032b6570032100");

    /// <summary>The built-in key and the directory's keys (files that are not a key are skipped).</summary>
    public static IReadOnlyList<byte[]> Load(string? directory = null)
    {
        var keys = new List<byte[]> { Convert.FromBase64String(Project) };
        directory ??= Environment.GetEnvironmentVariable("INTERCOM_RELEASE_KEYS") is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultDirectory;
        if (!Directory.Exists(directory))
        {
            return keys;
        }

        foreach (var file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            if (new FileInfo(file).Length < 4096 && TryParse(File.ReadAllText(file), out var key))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    /// <summary>A key as base64 of its 32 bytes, or as a PEM "PUBLIC KEY" (what `openssl pkey -pubout` writes).</summary>
    public static bool TryParse(string text, out byte[] key)
    {
        key = [];
        var body = string.Concat(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)));
        var bytes = new byte[128];
        if (!Convert.TryFromBase64String(body, bytes, out var length))
        {
            return false;
        }

        if (length == ReleaseSignature.PublicKeyLength)
        {
            key = bytes[..length];
            return true;
        }

        if (length == SpkiPrefix.Length + ReleaseSignature.PublicKeyLength && bytes.AsSpan(0, SpkiPrefix.Length).SequenceEqual(SpkiPrefix))
        {
            key = bytes[SpkiPrefix.Length..length];
            return true;
        }

        return false;
    }
}
