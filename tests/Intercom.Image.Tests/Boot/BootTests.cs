using Intercom.Image.Tests.Tools;

namespace Intercom.Image.Tests.Boot;

/// <summary>
/// Opt-in (INTERCOM_BOOT_TEST=1 at build time, see the project file): the built image booted under
/// qemu-system-aarch64's virt machine by image/boot-test.sh with its own kernel, initrd and file systems; it passes when
/// the station answers SIP OPTIONS through the port qemu forwards from loopback, after the first boot has grown the
/// root file system and made the TLS certificate.
/// </summary>
[Collection(ImageCollection.Name)]
public sealed class BootTests(BuiltImage built)
{
    [Fact]
    public void Image_boots_under_qemu_and_the_station_answers_SIP_OPTIONS_through_the_forwarded_port()
    {
        var result = Command.Run("bash", [Path.Combine(Repository.Image, "boot-test.sh"), built.Path, "--timeout", "1500"],
            TimeSpan.FromMinutes(30));

        Console.WriteLine(result.StandardOutput);
        Assert.True(result.ExitCode == 0, $"boot-test.sh failed ({result.ExitCode}):\n{result.StandardOutput}\n{result.StandardError}");
        Assert.Matches(@"OPTIONS answered after \d+ s: SIP/2\.0 200", result.StandardOutput);
        Assert.Contains("intercom-firstboot: root file system grown", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"intercom-firstboot: TLS certificate for {BuiltImage.Hostname}", result.StandardOutput, StringComparison.Ordinal);
    }
}
