namespace Intercom.Interop.Tests.Ship;

/// <summary>
/// The arm64 libraries the station finds on a Raspberry Pi, for qemu-user's -L: Debian's arm64 packages of this
/// release (minbase plus the package's Depends and Recommends), downloaded by debootstrap and unpacked, not installed,
/// so no arm64 code runs to build it. The cross toolchain's /usr/aarch64-linux-gnu holds only the C library; the
/// station also loads libssl (digest, SRTP), libasound, libspeexdsp and libopus at run time.
/// </summary>
public static class Arm64Sysroot
{
    private static readonly Lazy<Task<string>> Root = new(CreateAsync);

    public static Task<string> PathAsync() => Root.Value;

    private static async Task<string> CreateAsync()
    {
        var packages = DebianBootstrap.PackageDependencies();
        var cache = await DebianBootstrap.CachedAsync($"debian-{DebianBootstrap.Codename}-arm64-sysroot", packages, async folder =>
        {
            var download = Path.Combine(folder, "download");
            await DebianBootstrap.RunAsync(["--download-only", "--arch=arm64", "--variant=minbase", $"--include={string.Join(',', packages)}"], download)
                .ConfigureAwait(false);
            var root = Path.Combine(folder, "root");
            Directory.CreateDirectory(root);
            foreach (var package in Directory.EnumerateFiles(Path.Combine(download, "var", "cache", "apt", "archives"), "*.deb"))
            {
                var (exitCode, output) = await PublishedStation.RunAsync("dpkg-deb", ["-x", package, root], TimeSpan.FromMinutes(2)).ConfigureAwait(false);
                if (exitCode != 0)
                {
                    throw new InvalidOperationException($"dpkg-deb -x {package} failed ({exitCode}): {output}");
                }
            }

            Directory.Delete(download, recursive: true);
        }).ConfigureAwait(false);
        return Path.Combine(cache, "root");
    }
}
