using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Intercom.Update;

namespace Intercom.Tests.Update;

/// <summary>
/// A signed archive is still read as if hostile (issue #21.5): one top directory named intercom-VERSION-RID for this
/// runtime, regular files only, nothing outside it, an ELF for this machine; every refusal leaves nothing behind.
/// </summary>
public sealed class ReleaseArchiveTests : IDisposable
{
    private static readonly string Rid = RuntimeInformation.RuntimeIdentifier;
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-archive-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_release_for_this_runtime_unpacks_with_its_executable_runnable()
    {
        var target = Path.Combine(_dir, "out");

        var name = ReleaseArchive.TryUnpack(Archive($"intercom-1.2.3-{Rid}", ("intercom", Elf()), ("libx.so", [1, 2, 3])), target, Rid, out var error);

        Assert.Null(error);
        Assert.Equal($"intercom-1.2.3-{Rid}", name);
        Assert.True(File.GetUnixFileMode(Path.Combine(target, "intercom")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(target, "libx.so")));
    }

    [Theory]
    [InlineData("../evil", "outside the release's one directory")]
    [InlineData("intercom-1.2.3-RID/../../evil", "outside the release's one directory")]
    [InlineData("other-dir/intercom", "outside the release's one directory")]
    public void An_entry_outside_the_release_directory_is_refused(string entry, string reason)
    {
        var target = Path.Combine(_dir, "out");
        var archive = RawArchive($"intercom-1.2.3-{Rid}", ("intercom", Elf(), false), (entry.Replace("RID", Rid, StringComparison.Ordinal), [0], true));

        Assert.Null(ReleaseArchive.TryUnpack(archive, target, Rid, out var error));

        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.False(File.Exists(Path.Combine(_dir, "evil")));
    }

    [Fact]
    public void A_symbolic_link_is_refused()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, $"intercom-1.2.3-{Rid}/intercom") { LinkName = "/bin/sh" });
        }

        Assert.Null(ReleaseArchive.TryUnpack(buffer.ToArray(), Path.Combine(_dir, "out"), Rid, out var error));
        Assert.Contains("not a regular file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_release_for_another_runtime_or_without_an_elf_for_this_machine_is_refused()
    {
        var other = Rid == "linux-x64" ? "linux-arm64" : "linux-x64";
        Assert.Null(ReleaseArchive.TryUnpack(Archive($"intercom-1.2.3-{other}", ("intercom", Elf())), Path.Combine(_dir, "a"), Rid, out var wrongRid));
        Assert.Contains($"a release for {other}", wrongRid, StringComparison.Ordinal);

        Assert.Null(ReleaseArchive.TryUnpack(Archive($"intercom-1.2.3-{Rid}", ("intercom", "#!/bin/sh\nexit 0\n"u8.ToArray())), Path.Combine(_dir, "b"), Rid, out var script));
        Assert.Contains("no intercom executable", script, StringComparison.Ordinal);

        Assert.Null(ReleaseArchive.TryUnpack(Archive($"something-{Rid}", ("intercom", Elf())), Path.Combine(_dir, "c"), Rid, out var badName));
        Assert.Contains("intercom-VERSION-RID", badName, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_is_not_a_release()
    {
        Assert.Null(ReleaseArchive.TryUnpack(new byte[] { 0x1f, 0x8b, 8, 0, 1, 2, 3 }, Path.Combine(_dir, "out"), Rid, out var error));
        Assert.Contains("not a release archive", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Theory]
    [InlineData("intercom-0.1.1-test-linux-x64", "0.1.1")]
    [InlineData("intercom-2.0-linux-arm64", "2.0")]
    [InlineData("intercom-10.4.2-rc1-linux-x64", "10.4.2")]
    public void The_version_is_the_numeric_part_of_the_name(string name, string version) =>
        Assert.Equal(Version.Parse(version), ReleaseArchive.VersionOf(name));

    /// <summary>The first bytes of an ELF header for this machine (e_machine at offset 18).</summary>
    internal static byte[] Elf()
    {
        var header = new byte[64];
        "\u007fELF"u8.CopyTo(header);
        header[18] = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? (byte)183 : (byte)62;
        return header;
    }

    internal static byte[] Archive(string top, params (string Name, byte[] Data)[] files) =>
        RawArchive(top, [.. files.Select(f => (f.Name, f.Data, false))]);

    // Raw entries are named as given, not put under the top directory.
    private static byte[] RawArchive(string top, params (string Name, byte[] Data, bool Raw)[] files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, top + "/"));
            foreach (var (name, data, raw) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, raw ? name : $"{top}/{name}") { DataStream = new MemoryStream(data) });
            }
        }

        return buffer.ToArray();
    }
}
