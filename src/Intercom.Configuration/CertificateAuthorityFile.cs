using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Intercom.Configuration;

/// <summary>
/// A TLS connection's CA file (sip.tls.caFile, mqtt.tls.caFile): PEM certificates the peer's chain must end at. Read one
/// way by the validator and by the connections that use it, so a file that validates is the file that is trusted. A file
/// with no certificate is an error, not an empty trust list: with no anchor every peer would be refused (or, read as
/// "none configured", the system's CAs trusted instead), and either way the installer's intent is lost silently.
/// </summary>
public static class CertificateAuthorityFile
{
    /// <summary>Reads <paramref name="path"/>; false with the reason (as a validation error states it) when it cannot serve as trust anchors.</summary>
    public static bool TryLoad(string path, [NotNullWhen(true)] out X509Certificate2Collection? authorities, out string error)
    {
        ArgumentNullException.ThrowIfNull(path);
        authorities = null;
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            error = e is FileNotFoundException or DirectoryNotFoundException
                ? $"{path} does not exist"
                : $"{path} cannot be read as PEM certificates ({e.Message})";
            return false;
        }

        if (collection.Count == 0)
        {
            error = $"{path} contains no certificate";
            return false;
        }

        authorities = collection;
        error = "";
        return true;
    }

    /// <summary>Reads <paramref name="path"/> for a connection; throws <see cref="CryptographicException"/> with the reason if it changed since it validated.</summary>
    public static X509Certificate2Collection Load(string path) =>
        TryLoad(path, out var authorities, out var error) ? authorities : throw new CryptographicException(error);
}
