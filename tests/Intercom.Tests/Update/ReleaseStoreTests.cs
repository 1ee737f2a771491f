using System.Runtime.InteropServices;
using Intercom.Update;

namespace Intercom.Tests.Update;

/// <summary>
/// Installing beside the running version and the trial's bookkeeping the launcher reads (issue #21.5); the launcher's
/// own rollback is exercised against the published binary in Intercom.Security.Tests (FirmwareUpdateCycleTests).
/// </summary>
public sealed class ReleaseStoreTests : IDisposable
{
    private static readonly string Rid = RuntimeInformation.RuntimeIdentifier;
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-releases-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_install_becomes_current_on_trial_and_a_confirm_keeps_it_and_removes_the_others()
    {
        var store = new ReleaseStore(_dir);
        Assert.Null(store.Current);

        Assert.Equal($"intercom-1.0.0-{Rid}", store.Install(Release("1.0.0"), Rid, "0.9.0", out _));
        Assert.Equal($"intercom-1.0.0-{Rid}", store.Current);
        Assert.True(store.OnTrial);
        Assert.Equal("", File.ReadAllText(Path.Combine(_dir, "trial")));
        store.Confirm();
        Assert.False(store.OnTrial);

        Assert.Equal($"intercom-1.1.0-{Rid}", store.Install(Release("1.1.0"), Rid, "1.0.0", out _));
        Assert.Equal($"intercom-1.0.0-{Rid}", File.ReadAllText(Path.Combine(_dir, "trial")));
        Assert.True(Directory.Exists(Path.Combine(_dir, $"intercom-1.0.0-{Rid}")), "the previous release stays until the new one is confirmed");
        store.Confirm();
        Assert.Equal([$"intercom-1.1.0-{Rid}"], Releases());
    }

    [Fact]
    public void A_downgrade_or_the_running_release_again_is_refused_and_changes_nothing()
    {
        var store = new ReleaseStore(_dir);
        store.Install(Release("1.1.0"), Rid, "1.0.0", out _);
        store.Confirm();

        Assert.Null(store.Install(Release("1.0.5"), Rid, "1.1.0", out var older));
        Assert.Contains("downgrades are refused", older, StringComparison.Ordinal);
        Assert.Null(store.Install(Release("1.1.0"), Rid, "1.1.0", out var same));
        Assert.Contains("is the release running now", same, StringComparison.Ordinal);
        Assert.Equal($"intercom-1.1.0-{Rid}", store.Current);
        Assert.False(store.OnTrial);
        Assert.Single(Releases());
    }

    // The unpacked releases (not the "current" link to one of them).
    private string[] Releases() =>
        [.. Directory.EnumerateDirectories(_dir).Where(d => new DirectoryInfo(d).LinkTarget is null).Select(d => Path.GetFileName(d))];

    private static byte[] Release(string version) =>
        ReleaseArchiveTests.Archive($"intercom-{version}-{Rid}", ("intercom", ReleaseArchiveTests.Elf()));
}
