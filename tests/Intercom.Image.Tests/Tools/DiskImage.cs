using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Intercom.Image.Tests.Tools;

/// <summary>
/// An SD-card image read the way the build writes it, without mounting anything: its partition table through sfdisk,
/// the FAT boot partition through mtools (IMAGE@@OFFSET), the ext4 root through debugfs (IMAGE?offset=OFFSET).
/// </summary>
public sealed partial class DiskImage(string path)
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);

    public string Path { get; } = path;

    public IReadOnlyList<DiskPartition> Partitions()
    {
        using var json = JsonDocument.Parse(Command.Output("sfdisk", ["--json", Path]));
        var table = json.RootElement.GetProperty("partitiontable");
        Assert.Equal("dos", table.GetProperty("label").GetString());
        var partitions = new List<DiskPartition>();
        foreach (var partition in table.GetProperty("partitions").EnumerateArray())
        {
            partitions.Add(new DiskPartition(
                partition.GetProperty("start").GetInt64(),
                partition.GetProperty("size").GetInt64(),
                partition.GetProperty("type").GetString() ?? "",
                partition.TryGetProperty("bootable", out var bootable) && bootable.GetBoolean()));
        }

        return partitions;
    }

    private string BootPartition => $"{Path}@@{Partitions()[0].Start * 512}";

    private string RootPartition => $"{Path}?offset={Partitions()[1].Start * 512}";

    /// <summary>The names of the files at the top of the boot partition.</summary>
    public IReadOnlySet<string> BootFiles()
    {
        var listing = Command.Output("mdir", ["-b", "-i", BootPartition, "::/"]);
        return listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.StartsWith("::/", StringComparison.Ordinal) ? line[3..] : line)
            .ToHashSet(StringComparer.Ordinal);
    }

    public string BootFileText(string name) => Command.Output("mtype", ["-i", BootPartition, "::/" + name]);

    public string BootLabel() => Command.Output("mlabel", ["-s", "-i", BootPartition, "::"]).Trim();

    public string RootLabel()
    {
        var stats = Debugfs("stats");
        var match = VolumeName().Match(stats);
        Assert.True(match.Success, "debugfs stats shows no volume name:\n" + stats);
        return match.Groups[1].Value.Trim();
    }

    public string RootFileText(string path)
    {
        var entry = RootEntry(path);
        Assert.True(entry is not null, $"the root file system has no {path}");
        return Debugfs($"cat {path}");
    }

    /// <summary>What debugfs says of <paramref name="path"/>, or null when there is no such file.</summary>
    public RootEntry? RootEntry(string path)
    {
        var stat = Debugfs($"stat {path}");
        var type = InodeType().Match(stat);
        if (!type.Success)
        {
            return null;
        }

        var owner = InodeOwner().Match(stat);
        var link = LinkTarget().Match(stat);
        var size = InodeSize().Match(stat);
        return new RootEntry(
            type.Groups[1].Value,
            Convert.ToInt32(type.Groups[2].Value, 8),
            owner.Success ? int.Parse(owner.Groups[1].Value, CultureInfo.InvariantCulture) : -1,
            owner.Success ? int.Parse(owner.Groups[2].Value, CultureInfo.InvariantCulture) : -1,
            size.Success ? long.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture) : -1,
            link.Success ? link.Groups[1].Value : null);
    }

    /// <summary>The names in a directory of the root file system.</summary>
    public IReadOnlySet<string> RootDirectory(string path) =>
        Debugfs($"ls -p {path}").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('/'))
            .Where(fields => fields.Length >= 6 && fields[5].Length > 0 && fields[5] is not "." and not "..")
            .Select(fields => fields[5])
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>e2fsck's verdict on the root file system, read-only.</summary>
    public CommandResult CheckRoot() => Command.Run("e2fsck", ["-fn", RootPartition], ToolTimeout);

    private string Debugfs(string request) => Command.Output("debugfs", ["-R", request, RootPartition], ToolTimeout);

    [GeneratedRegex(@"Filesystem volume name:\s*(\S*)")]
    private static partial Regex VolumeName();

    [GeneratedRegex(@"Type: (\w+)\s+Mode:\s+([0-7]+)")]
    private static partial Regex InodeType();

    [GeneratedRegex(@"User:\s+(\d+)\s+Group:\s+(\d+)")]
    private static partial Regex InodeOwner();

    [GeneratedRegex(@"\bSize: (\d+)")]
    private static partial Regex InodeSize();

    [GeneratedRegex("Fast link dest: \"([^\"]*)\"")]
    private static partial Regex LinkTarget();
}
