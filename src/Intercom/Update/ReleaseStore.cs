using System.Runtime.InteropServices;

namespace Intercom.Update;

/// <summary>
/// Installed releases beside the packaged binary, in the state directory (the only place the service may write), as
/// image/debian/intercom-launch reads them at every start:
/// <list type="bullet">
/// <item><c>releases/NAME/</c>: an unpacked release; <c>releases/current</c>: a symlink to the one to run (absent: the
/// package's <c>/usr/lib/intercom/intercom</c>);</item>
/// <item><c>releases/trial</c>: an update is on trial; it holds what <c>current</c> was before (empty: the package). The
/// launcher marks the first start of a trial (<c>trial-started</c>); a second start with the trial still open means the
/// new version crashed or did not become ready, and the launcher puts <c>current</c> back and notes the failed release
/// in <c>rolled-back</c>;</item>
/// <item>the station confirms its trial (deletes <c>trial</c>) once it is ready and registered.</item>
/// </list>
/// Every switch is a rename (a symlink made beside and renamed over), so a power cut leaves the old or the new state.
/// </summary>
internal sealed partial class ReleaseStore(string directory)
{
    private const string CurrentLink = "current";
    private const string TrialFile = "trial";
    private const string TrialStartedFile = "trial-started";
    private const string RolledBackFile = "rolled-back";

    public string Directory { get; } = directory;

    /// <summary>The releases directory of a station whose state directory (systemd's STATE_DIRECTORY, else beside the configuration) is given.</summary>
    public static ReleaseStore For(string configDirectory)
    {
        var state = Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } systemd ? systemd.Split(':')[0] : configDirectory;
        return new ReleaseStore(Path.Combine(state, "releases"));
    }

    /// <summary>The release <c>current</c> names, or null when the packaged binary runs.</summary>
    public string? Current => new DirectoryInfo(Path.Combine(Directory, CurrentLink)).LinkTarget is { } target ? Path.GetFileName(target) : null;

    /// <summary>True while an installed update has not yet confirmed itself.</summary>
    public bool OnTrial => File.Exists(Path.Combine(Directory, TrialFile));

    /// <summary>The release the launcher rolled back from at this start, if it did.</summary>
    public string? RolledBack => File.Exists(Path.Combine(Directory, RolledBackFile)) ? File.ReadAllText(Path.Combine(Directory, RolledBackFile)).Trim() : null;

    /// <summary>
    /// Unpacks a verified archive beside the running version and makes it current, on trial. Returns the release name, or
    /// null with the reason (nothing changed then).
    /// </summary>
    public string? Install(ReadOnlyMemory<byte> archive, string runtime, string runningVersion, out string? error)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var incoming = Path.Combine(Directory, ".incoming-" + Guid.NewGuid().ToString("N"));
        var name = ReleaseArchive.TryUnpack(archive, incoming, runtime, out error);
        if (name is null)
        {
            return null;
        }

        if (ReleaseArchive.VersionOf(name) < ReleaseArchive.NumericVersion(runningVersion))
        {
            // A genuine but older release may have the hole a newer one fixed: going back is a re-flash, not an upload.
            System.IO.Directory.Delete(incoming, recursive: true);
            error = $"{name} is older than the running {runningVersion}: downgrades are refused";
            return null;
        }

        var previous = Current;
        if (name == previous)
        {
            System.IO.Directory.Delete(incoming, recursive: true);
            error = $"{name} is the release running now";
            return null;
        }

        var target = Path.Combine(Directory, name);
        if (System.IO.Directory.Exists(target))
        {
            System.IO.Directory.Delete(target, recursive: true);
        }

        System.IO.Directory.Move(incoming, target);
        Delete(TrialStartedFile);
        Delete(RolledBackFile);
        WriteDurably(TrialFile, previous ?? "");
        Point(name);
        return name;
    }

    /// <summary>The running update became ready and registered: it stays, and releases other than it are removed.</summary>
    public void Confirm()
    {
        Delete(TrialFile);
        Delete(TrialStartedFile);
        var current = Current;
        foreach (var release in System.IO.Directory.EnumerateDirectories(Directory))
        {
            // "current" itself is listed too (a link to a directory): it stays, as does what it names.
            if (new DirectoryInfo(release).LinkTarget is null && Path.GetFileName(release) != current)
            {
                System.IO.Directory.Delete(release, recursive: true);
            }
        }
    }

    private void Point(string name)
    {
        var replacement = Path.Combine(Directory, CurrentLink + ".new");
        Delete(CurrentLink + ".new");
        File.CreateSymbolicLink(replacement, name);
        // rename(2) itself: File.Move looks through a link to a directory and finds no file to move.
        if (Rename(replacement, Path.Combine(Directory, CurrentLink)) != 0)
        {
            throw new IOException($"could not switch {CurrentLink} to {name} (errno {Marshal.GetLastPInvokeError()})");
        }

        SyncDirectory();
    }

    private void WriteDurably(string file, string text)
    {
        var path = Path.Combine(Directory, file);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        SyncDirectory();
    }

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Rename(string from, string to);

    private void Delete(string file) => File.Delete(Path.Combine(Directory, file));

    // A rename is durable once the directory entry is on disk, as for the configuration file.
    private void SyncDirectory() => Configuration.ConfigStore.SyncDirectory(Directory);
}
