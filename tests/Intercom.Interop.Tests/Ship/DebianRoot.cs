namespace Intercom.Interop.Tests.Ship;

/// <summary>
/// A throw-away Debian root to install the package into, as root with chroot: a minimal system of this machine's
/// release and architecture with systemd and the package's dependencies, bootstrapped once and kept as a tarball in
/// artifacts/.test-cache/; every root is a fresh copy of it.
/// </summary>
public sealed class DebianRoot : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private DebianRoot(string path) => Path = path;

    public string Path { get; }

    public static async Task<DebianRoot> CreateAsync()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("installing into a Debian root needs root (chroot): run the tests as root, as CI does");
        }

        string[] packages = ["systemd", "init-system-helpers", .. DebianBootstrap.PackageDependencies()];
        var cache = await DebianBootstrap.CachedAsync($"debian-{DebianBootstrap.Codename}-{DebianBootstrap.HostArchitecture}-root", packages, async folder =>
        {
            var target = System.IO.Path.Combine(folder, "root");
            await DebianBootstrap.RunAsync(["--variant=minbase", $"--include={string.Join(',', packages)}"], target).ConfigureAwait(false);
            await Run("tar", ["-C", target, "-cf", System.IO.Path.Combine(folder, "root.tar"), "."]).ConfigureAwait(false);
            Directory.Delete(target, recursive: true);
        }).ConfigureAwait(false);

        var path = Directory.CreateTempSubdirectory("intercom-debroot-").FullName;
        // A temporary folder is 0700; as "/" of the root it would lock every user but root out.
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        await Run("tar", ["-C", path, "-xf", System.IO.Path.Combine(cache, "root.tar")]).ConfigureAwait(false);
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

    private static async Task Run(string command, string[] arguments)
    {
        var (exitCode, output) = await PublishedStation.RunAsync(command, arguments, CommandTimeout).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({exitCode}): {output}");
        }
    }
}
