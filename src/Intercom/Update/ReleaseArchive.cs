using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Intercom.Update;

/// <summary>
/// A release as publish.ps1 packs it: a gzip'd tar whose one top directory is <c>intercom-VERSION-RID</c>, holding the
/// <c>intercom</c> executable and its files. Read only after its signature was verified, and still read as if hostile
/// (a signed archive can be a mistake): regular files and directories only, no path outside the top directory, a
/// bounded size and count, the right runtime (an arm64 station refuses an x64 release, by name and by the ELF header).
/// </summary>
internal static partial class ReleaseArchive
{
    public const long MaxUnpackedBytes = 256L * 1024 * 1024;
    public const int MaxEntries = 64;
    public const string Executable = "intercom";

    /// <summary>
    /// Unpacks <paramref name="archive"/> into <paramref name="directory"/> (which must not exist), fsync'd; returns the
    /// release's name, or null with <paramref name="error"/> saying why it was refused (nothing is left behind then).
    /// </summary>
    public static string? TryUnpack(ReadOnlyMemory<byte> archive, string directory, string runtime, out string? error)
    {
        Directory.CreateDirectory(directory);
        try
        {
            var name = Unpack(archive, directory, runtime, out error);
            if (name is null)
            {
                Directory.Delete(directory, recursive: true);
            }

            return name;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or InvalidOperationException)
        {
            Directory.Delete(directory, recursive: true);
            error = $"not a release archive ({e.Message})";
            return null;
        }
    }

    private static string? Unpack(ReadOnlyMemory<byte> archive, string directory, string runtime, out string? error)
    {
        using var gzip = new GZipStream(AsStream(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        string? top = null;
        long total = 0;
        var count = 0;
        while (tar.GetNextEntry() is { } entry)
        {
            if (++count > MaxEntries)
            {
                error = $"more than {MaxEntries} entries";
                return null;
            }

            var path = entry.Name.TrimEnd('/');
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            var first = slash < 0 ? path : path[..slash];
            top ??= first;
            if (first != top || path.Split('/').Any(p => p is "" or "." or ".."))
            {
                error = $"entry {entry.Name} is outside the release's one directory";
                return null;
            }

            if (entry.EntryType is TarEntryType.Directory)
            {
                if (slash >= 0)
                {
                    Directory.CreateDirectory(Path.Combine(directory, path[(slash + 1)..]));
                }

                continue;
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || slash < 0)
            {
                error = $"entry {entry.Name} is not a regular file in the release's directory";
                return null;
            }

            total += entry.Length;
            if (total > MaxUnpackedBytes)
            {
                error = $"more than {MaxUnpackedBytes / (1024 * 1024)} MiB unpacked";
                return null;
            }

            var target = Path.Combine(directory, path[(slash + 1)..]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using (var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                entry.DataStream?.CopyTo(file);
                file.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, path[(slash + 1)..] == Executable
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            }
        }

        if (top is null || ReleaseName().Match(top) is not { Success: true } match)
        {
            error = "the archive's directory is not named intercom-VERSION-RID";
            return null;
        }

        if (match.Groups["rid"].Value != runtime)
        {
            error = $"a release for {match.Groups["rid"].Value}, this station runs {runtime}";
            return null;
        }

        var executable = Path.Combine(directory, Executable);
        if (!File.Exists(executable) || !IsElfFor(executable, RuntimeInformation.ProcessArchitecture))
        {
            error = $"no {Executable} executable for {runtime} in the release";
            return null;
        }

        error = null;
        return top;
    }

    /// <summary>The numeric part of a release name's version (intercom-1.2.3-rc1-linux-x64 → 1.2.3).</summary>
    public static Version VersionOf(string releaseName) => NumericVersion(ReleaseName().Match(releaseName).Groups["version"].Value);

    /// <summary>The leading dotted numbers of <paramref name="version"/> (1.2.3 of "1.2.3-rc1"), 0.0 when there are none.</summary>
    public static Version NumericVersion(string version)
    {
        var end = 0;
        while (end < version.Length && (char.IsAsciiDigit(version[end]) || version[end] == '.'))
        {
            end++;
        }

        var numeric = version[..end].Trim('.');
        return Version.TryParse(numeric.Contains('.', StringComparison.Ordinal) ? numeric : numeric + ".0", out var parsed) ? parsed : new Version(0, 0);
    }

    // The upload is already one array: read it in place rather than copy several MiB again.
    private static MemoryStream AsStream(ReadOnlyMemory<byte> archive) =>
        MemoryMarshal.TryGetArray(archive, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(archive.ToArray(), writable: false);

    // ELF header: magic, then e_machine at offset 18 (little endian): 62 x86-64, 183 AArch64 (as image/build-deb.sh checks).
    private static bool IsElfFor(string path, Architecture architecture)
    {
        Span<byte> header = stackalloc byte[20];
        using var file = File.OpenRead(path);
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length
            || !header[..4].SequenceEqual("\u007fELF"u8))
        {
            return false;
        }

        var machine = header[18] | (header[19] << 8);
        return architecture switch
        {
            Architecture.X64 => machine == 62,
            Architecture.Arm64 => machine == 183,
            _ => false,
        };
    }

    [GeneratedRegex(@"^intercom-(?<version>[0-9][0-9A-Za-z.+~-]{0,40})-(?<rid>linux-(x64|arm64))$", RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseName();
}
