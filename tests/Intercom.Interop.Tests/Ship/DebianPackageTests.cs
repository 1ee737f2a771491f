namespace Intercom.Interop.Tests.Ship;

/// <summary>
/// The Debian package built by image/build-deb.sh, installed with dpkg into a fresh Debian root: its own system user in
/// the gpio and audio groups, the configuration readable by that user only, the unit enabled and passing
/// `systemd-analyze verify`, a modified configuration kept across an upgrade, everything gone after a purge.
/// </summary>
[Collection(ShipCollection.Name)]
public sealed class DebianPackageTests : IDisposable
{
    private const string Config = "/etc/intercom/intercom.json";
    private const string Unit = "/usr/lib/systemd/system/intercom.service";
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-deb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string HostArch => PublishedStation.HostRid == "linux-arm64" ? "arm64" : "amd64";

    /// <summary>Builds the package for <paramref name="rid"/>'s published binary into this test's folder.</summary>
    private async Task<string> BuildPackageAsync(string rid, string version, string arch)
    {
        var input = await PublishedStation.DirectoryFor(rid);
        var (exitCode, output) = await PublishedStation.RunAsync("bash",
            [Path.Combine(PublishedStation.RepositoryRoot, "image", "build-deb.sh"), "--arch", arch, "--version", version, "--input", input, "--output", _dir],
            TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, $"build-deb.sh failed ({exitCode}):\n{output}");
        var package = output.Trim().Split('\n')[^1];
        Assert.Equal(Path.Combine(_dir, $"intercom_{version}_{arch}.deb"), package);
        return package;
    }

    private static async Task<string> Succeeds(Task<(int ExitCode, string Output)> command, string what)
    {
        var (exitCode, output) = await command;
        Assert.True(exitCode == 0, $"{what} failed ({exitCode}):\n{output}");
        return output;
    }

    [Fact]
    public async Task Install_creates_the_service_user_keeps_the_config_private_enables_the_unit_which_verifies()
    {
        var package = await BuildPackageAsync(PublishedStation.HostRid, PublishedStation.Version, HostArch);
        using var root = await DebianRoot.CreateAsync();

        await Succeeds(root.RunAsync("dpkg", ["-i", root.CopyIn(package)]), "dpkg -i");

        var passwd = await Succeeds(root.RunAsync("getent", ["passwd", "intercom"]), "getent passwd intercom");
        Assert.EndsWith(":/var/lib/intercom:/usr/sbin/nologin", passwd.Trim(), StringComparison.Ordinal);
        var groups = (await Succeeds(root.RunAsync("id", ["-nG", "intercom"]), "id")).Split(' ', StringSplitOptions.TrimEntries);
        Assert.Contains("gpio", groups);
        Assert.Contains("audio", groups);
        Assert.Equal("intercom intercom 600", (await Succeeds(root.RunAsync("stat", ["-c", "%U %G %a", Config]), "stat")).Trim());
        Assert.Equal("intercom 750", (await Succeeds(root.RunAsync("stat", ["-c", "%U %a", "/etc/intercom"]), "stat")).Trim());
        Assert.Equal("intercom", (await Succeeds(root.RunAsync("stat", ["-c", "%U", "/var/lib/intercom"]), "stat")).Trim());
        // deb-systemd-helper links to /lib/systemd/system on a merged-/usr Debian: the same file.
        Assert.EndsWith("/systemd/system/intercom.service", ResolveLink(root, "/etc/systemd/system/multi-user.target.wants/intercom.service"), StringComparison.Ordinal);

        // The service user can read its configuration and the binary runs on a Debian base with only the package's Depends.
        var check = await Succeeds(root.RunAsync("/usr/bin/intercom", ["check-config", Config], user: "intercom"), "intercom check-config as intercom");
        Assert.Contains("ok", check, StringComparison.Ordinal);

        // verify exits 0 on bad directives too ("ignoring"): the unit passes when it prints nothing about it. A broken
        // copy shows the check would see a mistake.
        var verify = await Succeeds(root.RunAsync("systemd-analyze", ["verify", Unit]), "systemd-analyze verify");
        Assert.DoesNotContain("intercom", verify, StringComparison.Ordinal);
        var broken = "/usr/lib/systemd/system/intercom-broken.service";
        File.WriteAllText(root.Host(broken), File.ReadAllText(root.Host(Unit)).Replace("Type=notify", "Type=notfy", StringComparison.Ordinal));
        Assert.Contains("Failed to parse service type", (await root.RunAsync("systemd-analyze", ["verify", broken])).Output, StringComparison.Ordinal);
        var unit = File.ReadAllText(root.Host(Unit));
        Assert.Contains("Type=notify", unit, StringComparison.Ordinal);
        Assert.Contains("WatchdogSec=", unit, StringComparison.Ordinal);
        Assert.Contains("\nCapabilityBoundingSet=\n", unit, StringComparison.Ordinal);

        // Resource ceilings (issue #15): no peer and no bug takes the whole Pi's memory or threads.
        Assert.Contains("\nMemoryMax=256M\n", unit, StringComparison.Ordinal);
        Assert.Contains("\nTasksMax=128\n", unit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configure_does_not_follow_a_link_the_service_user_plants_in_its_configuration_folder()
    {
        var package = await BuildPackageAsync(PublishedStation.HostRid, PublishedStation.Version, HostArch);
        using var root = await DebianRoot.CreateAsync();
        await Succeeds(root.RunAsync("dpkg", ["-i", root.CopyIn(package)]), "dpkg -i");
        var shadow = (await Succeeds(root.RunAsync("stat", ["-c", "%U %G %a", "/etc/shadow"]), "stat /etc/shadow")).Trim();

        // /etc/intercom is the service user's to write (web page saves). Whoever runs code as that user can put a link
        // where the package expects its files; root's chown/chmod in postinst must not follow it to /etc/shadow.
        await Succeeds(root.RunAsync("ln", ["-s", "/etc/shadow", Config + ".good"], user: "intercom"), "ln -s as intercom");
        var reinstall = await Succeeds(root.RunAsync("dpkg", ["-i", root.CopyIn(package)]), "dpkg -i (again: postinst configure)");

        Assert.Equal(shadow, (await Succeeds(root.RunAsync("stat", ["-c", "%U %G %a", "/etc/shadow"]), "stat /etc/shadow")).Trim());
        Assert.Equal("intercom", (await Succeeds(root.RunAsync("stat", ["-c", "%U", "-L", "--", Config]), "stat")).Trim());
        Assert.Equal("/etc/shadow", ResolveLink(root, Config + ".good"));
        Assert.Contains("intercom.json.good is not a regular file of its own", reinstall, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upgrade_keeps_a_modified_configuration_remove_keeps_it_and_purge_removes_it()
    {
        var first = await BuildPackageAsync(PublishedStation.HostRid, PublishedStation.Version, HostArch);
        var upgradeVersion = PublishedStation.Version + "+upgrade1";
        var second = await BuildPackageAsync(PublishedStation.HostRid, upgradeVersion, HostArch);
        using var root = await DebianRoot.CreateAsync();
        await Succeeds(root.RunAsync("dpkg", ["-i", root.CopyIn(first)]), "dpkg -i (first install)");

        // What the web page's save does: a new file in place of the old one, and the last good copy beside it.
        var modified = File.ReadAllText(root.Host(Config)).Replace("\"Front door\"", "\"Back gate\"", StringComparison.Ordinal);
        Assert.Contains("Back gate", modified, StringComparison.Ordinal);
        File.WriteAllText(root.Host(Config), modified);
        File.WriteAllText(root.Host(Config + ".good"), modified);

        await Succeeds(root.RunAsync("dpkg", ["-i", root.CopyIn(second)]), "dpkg -i (upgrade)");

        Assert.Equal(upgradeVersion, (await Succeeds(root.RunAsync("dpkg-query", ["-W", "-f=${Version}", "intercom"]), "dpkg-query")).Trim());
        Assert.Equal(modified, File.ReadAllText(root.Host(Config)));
        Assert.False(File.Exists(root.Host(Config + ".dpkg-new")), "dpkg must not have put a new default beside the kept one");
        Assert.Equal("intercom 600", (await Succeeds(root.RunAsync("stat", ["-c", "%U %a", Config]), "stat")).Trim());
        Assert.Equal("intercom 600", (await Succeeds(root.RunAsync("stat", ["-c", "%U %a", Config + ".good"]), "stat")).Trim());
        Assert.True(File.Exists(root.Host("/etc/systemd/system/multi-user.target.wants/intercom.service")), "the unit stays enabled");

        await Succeeds(root.RunAsync("dpkg", ["-r", "intercom"]), "dpkg -r");
        Assert.False(File.Exists(root.Host("/usr/lib/intercom/intercom")));
        Assert.Equal(modified, File.ReadAllText(root.Host(Config)));

        await Succeeds(root.RunAsync("dpkg", ["-P", "intercom"]), "dpkg -P");
        Assert.False(Directory.Exists(root.Host("/etc/intercom")));
        Assert.False(Directory.Exists(root.Host("/var/lib/intercom")));
        Assert.False(File.Exists(root.Host("/etc/systemd/system/multi-user.target.wants/intercom.service")));
    }

    [Fact]
    public async Task Arm64_package_holds_the_arm64_binary_and_the_script_refuses_a_binary_of_the_wrong_architecture()
    {
        var package = await BuildPackageAsync("linux-arm64", PublishedStation.Version, "arm64");

        var (_, fields) = await PublishedStation.RunAsync("dpkg-deb", ["-f", package, "Package", "Architecture", "Version"], TimeSpan.FromSeconds(30));
        Assert.Equal($"Package: intercom\nArchitecture: arm64\nVersion: {PublishedStation.Version}", fields.Trim());
        var (_, contents) = await PublishedStation.RunAsync("dpkg-deb", ["-c", package], TimeSpan.FromSeconds(30));
        Assert.Contains("./usr/lib/intercom/intercom", contents, StringComparison.Ordinal);
        Assert.Contains("./usr/bin/intercom -> ../lib/intercom/intercom", contents, StringComparison.Ordinal);
        Assert.Contains("./usr/lib/systemd/system/intercom.service", contents, StringComparison.Ordinal);
        Assert.Contains("-rw------- root/root", contents.Split('\n').Single(l => l.EndsWith("./etc/intercom/intercom.json", StringComparison.Ordinal)), StringComparison.Ordinal);
        var (_, conffiles) = await PublishedStation.RunAsync("dpkg-deb", ["-I", package, "conffiles"], TimeSpan.FromSeconds(30));
        Assert.Equal("/etc/intercom/intercom.json", conffiles.Trim());

        var x64 = await PublishedStation.DirectoryFor("linux-x64");
        var (exitCode, output) = await PublishedStation.RunAsync("bash",
            [Path.Combine(PublishedStation.RepositoryRoot, "image", "build-deb.sh"), "--arch", "arm64", "--input", x64, "--output", _dir],
            TimeSpan.FromMinutes(1));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("is not an arm64 binary", output, StringComparison.Ordinal);
    }

    private static string ResolveLink(DebianRoot root, string link) =>
        new FileInfo(root.Host(link)).LinkTarget ?? throw new InvalidOperationException($"{link} is not a symbolic link");
}
