using System.Text.RegularExpressions;
using Intercom.Image.Tests.Tools;

namespace Intercom.Image.Tests;

/// <summary>
/// The image image/build-image.sh makes from Debian packages, read back without mounting it: its partition table, the
/// Raspberry Pi boot partition (firmware, kernel, initrd, device trees, config.txt, cmdline.txt) and the root file
/// system (the intercom package installed, its unit enabled, the first-boot settings).
/// </summary>
[Collection(ImageCollection.Name)]
public sealed class DebianImageTests(BuiltImage built)
{
    private const int Sector = 512;
    private readonly DiskImage _image = built.Image;

    [Fact]
    public void Partition_table_is_a_bootable_FAT32_partition_at_4_MiB_then_the_Linux_root_to_the_end_of_the_image()
    {
        var partitions = _image.Partitions();

        Assert.Equal(2, partitions.Count);
        var (boot, root) = (partitions[0], partitions[1]);
        Assert.Equal(4 * 1024 * 1024 / Sector, boot.Start);
        Assert.Equal(256 * 1024 * 1024 / Sector, boot.Size);
        Assert.Equal("c", boot.Type);
        Assert.True(boot.Bootable);
        Assert.Equal("83", root.Type);
        Assert.Equal(boot.Start + boot.Size, root.Start);
        Assert.Equal((root.Start + root.Size) * Sector, new FileInfo(built.Path).Length);
    }

    [Fact]
    public void Boot_partition_holds_the_Pi_firmware_and_the_kernel_initrd_and_device_trees_config_txt_names()
    {
        var files = _image.BootFiles();

        Assert.Equal("RASPIFIRM", _image.BootLabel().Split(' ')[^1]);
        // GPU firmware of the Pi 3 family (start/fixup) and of the Pi 4 family (start4/fixup4), and the Pi 3's bootcode.
        Assert.Superset(new HashSet<string> { "bootcode.bin", "start.elf", "fixup.dat", "start4.elf", "fixup4.dat" }, files.ToHashSet());
        // Device trees of Debian's kernel for every board the image is for.
        Assert.Superset(
            new HashSet<string> { "bcm2837-rpi-3-b.dtb", "bcm2837-rpi-3-b-plus.dtb", "bcm2711-rpi-4-b.dtb", "bcm2837-rpi-zero-2-w.dtb" },
            files.ToHashSet());

        var config = _image.BootFileText("config.txt");
        Assert.Contains("arm_64bit=1", config, StringComparison.Ordinal);
        var kernel = Regex.Match(config, @"^kernel=(\S+)", RegexOptions.Multiline).Groups[1].Value;
        var initrd = Regex.Match(config, @"^initramfs (\S+)", RegexOptions.Multiline).Groups[1].Value;
        Assert.StartsWith("vmlinuz-", kernel, StringComparison.Ordinal);
        Assert.StartsWith("initrd.img-", initrd, StringComparison.Ordinal);
        Assert.Contains(kernel, files);
        Assert.Contains(initrd, files);

        var cmdline = _image.BootFileText("cmdline.txt");
        Assert.Contains("root=LABEL=RASPIROOT", cmdline, StringComparison.Ordinal);
        Assert.Contains("console=ttyS1,115200", cmdline, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', cmdline.TrimEnd());
    }

    [Fact]
    public void Root_file_system_is_clean_and_holds_every_file_of_the_intercom_package_with_its_size()
    {
        Assert.Equal("RASPIROOT", _image.RootLabel());
        var fsck = _image.CheckRoot();
        Assert.True(fsck.ExitCode == 0, "e2fsck -fn:\n" + fsck.StandardOutput + fsck.StandardError);

        // dpkg-deb -c: "-rwxr-xr-x root/root 9442824 2026-11-26 06:00 ./usr/lib/intercom/intercom"
        var contents = Command.Output("dpkg-deb", ["-c", built.Package]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var files = contents.Where(line => line.StartsWith('-')).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Contains(files, fields => fields[5] == "./usr/lib/systemd/system/intercom.service");
        foreach (var fields in files)
        {
            var path = fields[5][1..];
            var entry = _image.RootEntry(path);
            Assert.True(entry is not null, $"the image lacks {path} of the package");
            if (path != "/etc/intercom/intercom.json")
            {
                Assert.Equal(long.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), entry.Size);
            }
        }

        var status = _image.RootFileText("/var/lib/dpkg/status");
        Assert.Matches(@"Package: intercom\nStatus: install ok installed", status);
    }

    [Fact]
    public void Station_unit_is_enabled_and_its_configuration_belongs_to_the_service_user_alone()
    {
        var wanted = _image.RootEntry("/etc/systemd/system/multi-user.target.wants/intercom.service");
        Assert.NotNull(wanted);
        Assert.Equal("symlink", wanted.Type);
        Assert.EndsWith("/systemd/system/intercom.service", wanted.LinkTarget, StringComparison.Ordinal);
        Assert.NotNull(_image.RootEntry("/usr/bin/intercom"));

        var passwd = _image.RootFileText("/etc/passwd");
        var user = Regex.Match(passwd, @"^intercom:x:(\d+):(\d+):", RegexOptions.Multiline);
        Assert.True(user.Success, "no intercom user in /etc/passwd");
        var config = _image.RootEntry("/etc/intercom/intercom.json");
        Assert.NotNull(config);
        Assert.Equal("regular", config.Type);
        Assert.Equal(int.Parse(user.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), config.Uid);
        Assert.Equal(0, config.Mode & 0b000_000_111);
        // The TLS key is made on the card at first boot, never shipped in the image.
        Assert.Null(_image.RootEntry("/etc/intercom/tls/intercom.key"));
    }

    [Fact]
    public void First_boot_is_prepared_host_name_mounts_by_label_logs_in_RAM_no_SSH_no_password_fresh_machine_id()
    {
        Assert.Equal(BuiltImage.Hostname, _image.RootFileText("/etc/hostname").Trim());
        Assert.Matches($@"(?m)^127\.0\.1\.1\s+{BuiltImage.Hostname}$", _image.RootFileText("/etc/hosts"));

        var fstab = _image.RootFileText("/etc/fstab");
        Assert.Matches(@"(?m)^LABEL=RASPIROOT\s+/\s+ext4\s", fstab);
        Assert.Matches(@"(?m)^LABEL=RASPIFIRM\s+/boot/firmware\s+vfat\s", fstab);
        Assert.Empty(_image.RootDirectory("/boot/firmware"));

        Assert.Matches(@"(?m)^Storage=volatile$", _image.RootFileText("/etc/systemd/journald.conf.d/50-intercom-image.conf"));

        var firstBoot = _image.RootEntry("/etc/systemd/system/multi-user.target.wants/intercom-firstboot.service");
        Assert.NotNull(firstBoot);
        // systemctl enable links to /lib/systemd/system on a merged-/usr Debian: the same file.
        Assert.EndsWith("/lib/systemd/system/intercom-firstboot.service", firstBoot.LinkTarget, StringComparison.Ordinal);
        Assert.Equal(0b111_101_101, _image.RootEntry("/usr/lib/intercom-image/firstboot")?.Mode);
        Assert.NotNull(_image.RootEntry("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"));

        // No SSH server unless the build is given --ssh-key; no way into root by password.
        Assert.Null(_image.RootEntry("/usr/sbin/sshd"));
        Assert.Matches(@"(?m)^root:[!*]", _image.RootFileText("/etc/shadow"));
        // Empty: systemd makes the card's own machine id at first boot.
        Assert.Equal(0, _image.RootEntry("/etc/machine-id")?.Size);
    }

    [Fact]
    public void Debian_security_updates_are_installed_unattended_and_the_station_starts_through_its_update_launcher()
    {
        // Issue #21.5: Debian's own fixes reach a station nobody logs into (apt's daily timers run unattended-upgrades,
        // whose default origins are the security archive); the intercom package updates through its page instead.
        Assert.NotNull(_image.RootEntry("/usr/bin/unattended-upgrade"));
        var periodic = _image.RootFileText("/etc/apt/apt.conf.d/20auto-upgrades");
        Assert.Matches(@"(?m)^APT::Periodic::Update-Package-Lists ""1"";$", periodic);
        Assert.Matches(@"(?m)^APT::Periodic::Unattended-Upgrade ""1"";$", periodic);
        Assert.Contains("Debian-Security", _image.RootFileText("/etc/apt/apt.conf.d/50unattended-upgrades"), StringComparison.Ordinal);
        Assert.NotNull(_image.RootEntry("/etc/systemd/system/timers.target.wants/apt-daily-upgrade.timer"));

        // The unit starts the launcher, which rolls a failed firmware update back before running anything of it.
        var unit = _image.RootFileText("/usr/lib/systemd/system/intercom.service");
        Assert.Matches(@"(?m)^ExecStart=/usr/lib/intercom/launch\b", unit);
        Assert.Equal(0b111_101_101, _image.RootEntry("/usr/lib/intercom/launch")?.Mode);
    }
}
