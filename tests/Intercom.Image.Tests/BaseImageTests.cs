using Intercom.Image.Tests.Tools;

namespace Intercom.Image.Tests;

/// <summary>
/// build-image.sh --base-image: the package written into a copy of an existing Raspberry Pi image (Raspberry Pi OS Lite
/// in use; here the Debian image the collection built, which has the same two partitions), to be installed on the
/// card's first boot; and the arguments and base images it refuses, each with a message that says why.
/// </summary>
[Collection(ImageCollection.Name)]
public sealed class BaseImageTests(BuiltImage built)
{
    private static readonly TimeSpan Quick = TimeSpan.FromMinutes(5);

    private static CommandResult BuildImage(params string[] arguments) =>
        Command.Run("bash", [Path.Combine(Repository.Image, "build-image.sh"), .. arguments], Quick);

    [Fact]
    public void Base_image_gets_the_pending_package_first_boot_unit_host_name_and_SSH_key_with_its_partitions_unchanged()
    {
        var key = Path.Combine(built.Directory, "base-test.pub");
        File.WriteAllText(key, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBaseImageTestKeyOnlyNotARealOneAtAll test@example\n");
        var output = Path.Combine(built.Directory, "from-base.img");

        var result = BuildImage("--base-image", built.Path, "--deb", built.Package, "--hostname", "gate", "--ssh-key", key, "--output", output);

        Assert.True(result.ExitCode == 0, $"build-image.sh --base-image failed:\n{result.StandardOutput}\n{result.StandardError}");
        var image = new DiskImage(output);
        Assert.Equal(built.Image.Partitions(), image.Partitions());
        Assert.Equal(new FileInfo(built.Path).Length, new FileInfo(output).Length);

        var pending = image.RootEntry($"/var/lib/intercom-image/pending/{Path.GetFileName(built.Package)}");
        Assert.NotNull(pending);
        Assert.Equal(new FileInfo(built.Package).Length, pending.Size);
        Assert.Equal(0b111_101_101, image.RootEntry("/usr/lib/intercom-image/firstboot")?.Mode);
        foreach (var unit in new[] { "intercom-firstboot.service", "intercom-install-pending.service" })
        {
            Assert.Equal(
                File.ReadAllText(Path.Combine(Repository.Image, "rootfs", "usr", "lib", "systemd", "system", unit)),
                image.RootFileText($"/usr/lib/systemd/system/{unit}"));
            Assert.Equal($"/usr/lib/systemd/system/{unit}", image.RootEntry($"/etc/systemd/system/multi-user.target.wants/{unit}")?.LinkTarget);
        }

        Assert.Equal("gate", image.RootFileText("/etc/hostname").Trim());
        Assert.Matches(@"(?m)^127\.0\.1\.1\s+gate$", image.RootFileText("/etc/hosts"));
        Assert.DoesNotMatch(@"(?m)^127\.0\.1\.1\s+intercom$", image.RootFileText("/etc/hosts"));

        var authorized = image.RootEntry("/root/.ssh/authorized_keys");
        Assert.NotNull(authorized);
        Assert.Equal((0b110_000_000, 0), (authorized.Mode, authorized.Uid));
        Assert.Equal(File.ReadAllText(key), image.RootFileText("/root/.ssh/authorized_keys"));
        Assert.Equal(0b111_000_000, image.RootEntry("/root/.ssh")?.Mode);
        // Raspberry Pi OS turns SSH on at first boot when the boot partition holds "ssh".
        Assert.Contains("ssh", image.BootFiles());

        var fsck = image.CheckRoot();
        Assert.True(fsck.ExitCode == 0, "e2fsck -fn:\n" + fsck.StandardOutput + fsck.StandardError);
    }

    [Fact]
    public void Base_image_that_lacks_a_dependency_of_the_package_is_refused_naming_it()
    {
        var package = FakePackage("arm64", "libc6 (>= 2.34), libdoes-not-exist7 | libnor-this7");

        var result = BuildImage("--base-image", built.Path, "--deb", package, "--output", Path.Combine(built.Directory, "refused.img"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("libdoes-not-exist7 | libnor-this7", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("libc6", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void File_without_a_Raspberry_Pi_boot_partition_is_refused_as_a_base_image()
    {
        var blank = Path.Combine(built.Directory, "blank.img");
        using (var file = File.Create(blank))
        {
            file.SetLength(16 * 1024 * 1024);
        }

        var partitioned = Command.Run("sfdisk", ["-q", blank], Quick, null, "label: dos\nstart=2048, size=8192, type=c\nstart=10240, type=83\n");
        Assert.Equal(0, partitioned.ExitCode);

        var result = BuildImage("--base-image", blank, "--deb", built.Package, "--output", Path.Combine(built.Directory, "blank-out.img"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no config.txt; not a Raspberry Pi image", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Package_of_another_architecture_and_a_bad_host_name_are_refused_before_any_work()
    {
        var amd64 = FakePackage("amd64", "libc6");

        var wrongArch = BuildImage("--deb", amd64, "--output", Path.Combine(built.Directory, "amd64.img"));
        var badName = BuildImage("--deb", built.Package, "--hostname", "Front_Door", "--output", Path.Combine(built.Directory, "name.img"));

        Assert.Equal(1, wrongArch.ExitCode);
        Assert.Contains("is for amd64; the Raspberry Pi image needs the arm64 package", wrongArch.StandardError, StringComparison.Ordinal);
        Assert.Equal(1, badName.ExitCode);
        Assert.Contains("--hostname 'Front_Door'", badName.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(built.Directory, "amd64.img")));
    }

    /// <summary>An empty package named intercom with the given architecture and dependencies.</summary>
    private string FakePackage(string architecture, string depends)
    {
        var root = Path.Combine(built.Directory, $"fake-intercom-{architecture}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(root, "DEBIAN"));
        File.WriteAllText(Path.Combine(root, "DEBIAN", "control"), $"""
            Package: intercom
            Version: 0.0.1
            Architecture: {architecture}
            Maintainer: Image tests <tests@example.invalid>
            Depends: {depends}
            Description: a stand-in package for the image build's checks

            """);
        var package = Path.Combine(built.Directory, $"intercom_0.0.1_{architecture}_{Path.GetFileName(root)}.deb");
        Command.Output("dpkg-deb", ["--root-owner-group", "--build", root, package]);
        return package;
    }
}
