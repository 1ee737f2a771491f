using System.Text.RegularExpressions;

namespace Intercom.Interop.Tests.Ship;

/// <summary>
/// A throw-away Debian root to install the package into, as root with chroot. The first use bootstraps a minimal
/// system of this machine's release and architecture (debootstrap, from the mirror apt uses here, with systemd and the
/// package's dependencies) and keeps it as a tarball in artifacts/.test-cache/; every root after that is a fresh copy.
/// </summary>
public sealed partial class DebianRoot : IDisposable
{
    private const string Packages = "systemd,adduser,init-system-helpers,libasound2,libspeexdsp1,libgpiod2,libopus0";
    private static readonly SemaphoreSlim OneBootstrapAtATime = new(1, 1);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private DebianRoot(string path) => Path = path;

    public string Path { get; }

    public static async Task<DebianRoot> CreateAsync()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("installing into a Debian root needs root (chroot): run the tests as root, as CI does");
        }

        var tarball = await BootstrapOnceAsync().ConfigureAwait(false);
        var path = Directory.CreateTempSubdirectory("intercom-debroot-").FullName;
        var (exitCode, output) = await PublishedStation.RunAsync("tar", ["-C", path, "-xf", tarball], CommandTimeout).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"could not unpack {tarball}: {output}");
        }

        return new DebianRoot(path);
    }

    /// <summary>Runs a command inside the root (chroot), optionally as another user.</summary>
    public Task<(int ExitCode, string Output)> RunAsync(string command, IEnumerable<string> arguments, string? user = null)
    {
        string[] chroot = user is null ? [Path, command, .. arguments] : [$"--userspec={user}:{user}", Path, command, .. arguments];
        return PublishedStation.RunAsync("chroot", chroot, CommandTimeout);
    }

    /// <summary>Copies a file from the host into the root's /tmp and returns its path inside the root.</summary>
    public string CopyIn(string hostFile)
    {
        var inside = "/tmp/" + System.IO.Path.GetFileName(hostFile);
        File.Copy(hostFile, Host(inside), overwrite: true);
        return inside;
    }

    /// <summary>The host path of a path inside the root.</summary>
    public string Host(string pathInRoot) => System.IO.Path.Combine(Path, pathInRoot.TrimStart('/'));

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private static async Task<string> BootstrapOnceAsync()
    {
        var (codename, arch) = (OsRelease("VERSION_CODENAME"), DebianArchitecture());
        var tarball = System.IO.Path.Combine(PublishedStation.CacheDirectory, $"debian-{codename}-{arch}-root.tar");
        await OneBootstrapAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            if (File.Exists(tarball))
            {
                return tarball;
            }

            var debootstrap = PublishedStation.RequireTool("debootstrap", "debootstrap");
            var target = Directory.CreateTempSubdirectory("intercom-debootstrap-").FullName;
            try
            {
                var (exitCode, output) = await PublishedStation.RunAsync(debootstrap,
                    ["--variant=minbase", $"--include={Packages}", codename, target, Mirror(codename)], TimeSpan.FromMinutes(15)).ConfigureAwait(false);
                if (exitCode != 0)
                {
                    throw new InvalidOperationException($"debootstrap {codename} failed ({exitCode}):\n{output}");
                }

                Directory.CreateDirectory(PublishedStation.CacheDirectory);
                var partial = tarball + ".partial";
                (exitCode, output) = await PublishedStation.RunAsync("tar", ["-C", target, "-cf", partial, "."], CommandTimeout).ConfigureAwait(false);
                if (exitCode != 0)
                {
                    throw new InvalidOperationException($"could not pack the Debian root: {output}");
                }

                File.Move(partial, tarball, overwrite: true);
                return tarball;
            }
            finally
            {
                Directory.Delete(target, recursive: true);
            }
        }
        finally
        {
            OneBootstrapAtATime.Release();
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

    private static string DebianArchitecture() => PublishedStation.HostRid == "linux-arm64" ? "arm64" : "amd64";

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
