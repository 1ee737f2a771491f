using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Intercom.Interop.Tests.Ship;

/// <summary>
/// debootstrap for the shipping tests: this machine's Debian release, from the mirror apt uses here, with the packages
/// the intercom package declares (Depends and Recommends of image/debian/control.in, first alternatives), so a library
/// missing from that list shows up as a failure. Results are cached in artifacts/.test-cache/ under a name that changes
/// with the package list.
/// </summary>
public static partial class DebianBootstrap
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public static string Codename => OsRelease("VERSION_CODENAME");

    /// <summary>The Debian architecture of this machine.</summary>
    public static string HostArchitecture => PublishedStation.HostRid == "linux-arm64" ? "arm64" : "amd64";

    /// <summary>What the package needs at run time, as debootstrap --include names.</summary>
    public static IReadOnlyList<string> PackageDependencies()
    {
        var control = File.ReadAllText(Path.Combine(PublishedStation.RepositoryRoot, "image", "debian", "control.in"));
        var names = new List<string>();
        foreach (var field in new[] { "Depends", "Recommends" })
        {
            var match = Regex.Match(control, $@"^{field}:\s*(.+)$", RegexOptions.Multiline);
            if (!match.Success)
            {
                continue;
            }

            foreach (var relation in match.Groups[1].Value.Split(','))
            {
                // "libasound2 | libasound2t64" -> libasound2; "libc6 (>= 2.34)" -> libc6.
                names.Add(relation.Split('|')[0].Split('(')[0].Trim());
            }
        }

        return names;
    }

    /// <summary>
    /// Returns the cached folder <paramref name="name"/>-HASH (HASH over <paramref name="packages"/>), building it with
    /// <paramref name="build"/> into an empty folder the first time.
    /// </summary>
    public static async Task<string> CachedAsync(string name, IEnumerable<string> packages, Func<string, Task> build)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', packages))))[..12];
        var folder = Path.Combine(PublishedStation.CacheDirectory, $"{name}-{hash}");
        var complete = folder + ".complete";
        await OneAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            if (File.Exists(complete))
            {
                return folder;
            }

            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            await build(folder).ConfigureAwait(false);
            File.WriteAllText(complete, DateTime.UtcNow.ToString("O"));
            return folder;
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    /// <summary>Runs debootstrap with <paramref name="options"/> for this release into <paramref name="target"/>.</summary>
    public static async Task RunAsync(IEnumerable<string> options, string target)
    {
        var debootstrap = PublishedStation.RequireTool("debootstrap", "debootstrap");
        var codename = Codename;
        var (exitCode, output) = await PublishedStation.RunAsync(debootstrap, [.. options, codename, target, Mirror(codename)],
            TimeSpan.FromMinutes(15)).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"debootstrap {codename} failed ({exitCode}):\n{output}");
        }
    }

    private static string OsRelease(string key)
    {
        foreach (var line in File.ReadLines("/etc/os-release"))
        {
            if (line.StartsWith(key + "=", StringComparison.Ordinal))
            {
                return line[(key.Length + 1)..].Trim('"');
            }
        }

        throw new InvalidOperationException($"no {key} in /etc/os-release: the package tests need a Debian machine");
    }

    /// <summary>The Debian mirror apt on this machine uses for <paramref name="codename"/> (deb822 or one-line sources).</summary>
    private static string Mirror(string codename)
    {
        var files = new List<string>();
        if (File.Exists("/etc/apt/sources.list"))
        {
            files.Add("/etc/apt/sources.list");
        }

        if (Directory.Exists("/etc/apt/sources.list.d"))
        {
            files.AddRange(Directory.EnumerateFiles("/etc/apt/sources.list.d").Order(StringComparer.Ordinal));
        }

        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            // deb822 stanzas: URIs and Suites in the same paragraph.
            foreach (var stanza in text.Split("\n\n"))
            {
                var uris = Regex.Match(stanza, @"^URIs:\s*(\S+)", RegexOptions.Multiline);
                var suites = Regex.Match(stanza, @"^Suites:\s*(.+)$", RegexOptions.Multiline);
                if (uris.Success && suites.Success && suites.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(codename))
                {
                    return uris.Groups[1].Value;
                }
            }

            // One-line format: deb [options] URI suite components...
            foreach (Match m in OneLineSource().Matches(text))
            {
                if (m.Groups["suite"].Value == codename)
                {
                    return m.Groups["uri"].Value;
                }
            }
        }

        return "http://deb.debian.org/debian";
    }

    [GeneratedRegex(@"^deb\s+(\[[^\]]*\]\s+)?(?<uri>\S+)\s+(?<suite>\S+)", RegexOptions.Multiline)]
    private static partial Regex OneLineSource();
}
