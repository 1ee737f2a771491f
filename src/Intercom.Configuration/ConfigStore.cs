using System.Runtime.InteropServices;
using System.Text;
using Intercom.Station.Configuration;

namespace Intercom.Configuration;

/// <summary>
/// The configuration file on disk. Saves are atomic (temp file, fsync, rename, fsync of the directory) so a power cut or
/// kill -9 leaves either the old or the new file, never a torn one; the file is mode 0600 because it holds SIP passwords.
/// Every configuration that loads cleanly is also kept as "PATH.good", the copy a corrupt file falls back to at start.
/// </summary>
public sealed partial class ConfigStore
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <param name="path">The configuration file.</param>
    /// <param name="runsForReal">
    /// True for the station on its own hardware (`intercom run` without --simulate): loads and saves refuse example secrets
    /// (ConfigValidator.Validate), so a code or password from the documentation can neither start it nor be saved.
    /// </param>
    public ConfigStore(string path, bool runsForReal = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        RunsForReal = runsForReal;
    }

    public string Path { get; }

    /// <summary>True when example secrets are refused (the station on its own hardware).</summary>
    public bool RunsForReal { get; }

    public string LastGoodPath => Path + ".good";

    /// <summary>
    /// Loads the file; when it is corrupt or invalid and a last good copy exists, loads that instead and says so in
    /// <paramref name="fellBackBecause"/>. Returns false (with the file's own errors) when neither can be used.
    /// </summary>
    public bool TryLoad(out IntercomConfig? config, out IReadOnlyList<ConfigError> errors, out IReadOnlyList<ConfigError>? fellBackBecause) =>
        TryLoad(out config, out errors, out fellBackBecause, keepGoodCopy: true);

    /// <summary>
    /// As <see cref="TryLoad(out IntercomConfig?, out IReadOnlyList{ConfigError}, out IReadOnlyList{ConfigError}?)"/>; with
    /// <paramref name="keepGoodCopy"/> false the caller writes the last good copy later with <see cref="KeepAsGood"/> (the
    /// station does once it is up, so serialising and syncing the copy does not delay its first REGISTER).
    /// </summary>
    public bool TryLoad(out IntercomConfig? config, out IReadOnlyList<ConfigError> errors, out IReadOnlyList<ConfigError>? fellBackBecause, bool keepGoodCopy)
    {
        fellBackBecause = null;
        if (ConfigLoader.TryLoad(Path, out config, out errors, RunsForReal))
        {
            if (keepGoodCopy)
            {
                RememberAsGood(config!);
            }

            return true;
        }

        if (File.Exists(LastGoodPath) && ConfigLoader.TryLoad(LastGoodPath, out var good, out _, RunsForReal))
        {
            fellBackBecause = errors;
            config = good;
            errors = [];
            return true;
        }

        return false;
    }

    /// <summary>
    /// Validates and then atomically replaces the file. A refused configuration leaves the file untouched. Code entries
    /// without an id are given one first (in <paramref name="config"/> too), so the file names every entry.
    /// </summary>
    public bool TrySave(IntercomConfig config, out IReadOnlyList<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(config);
        CodeIds.AssignMissing(config.Station);
        errors = ConfigValidator.Validate(config, RunsForReal);
        if (errors.Count > 0)
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(ConfigLoader.Serialize(config));
        WriteAtomically(Path, bytes);
        WriteAtomically(LastGoodPath, bytes);
        return true;
    }

    /// <summary>
    /// Loads the last good copy alone, for a file that validated but could not be started on; false when there is none
    /// or it is the same as the file (falling back to it would fail the same way).
    /// </summary>
    public bool TryLoadLastGood(out IntercomConfig? config)
    {
        config = null;
        try
        {
            if (!File.Exists(LastGoodPath) || (File.Exists(Path) && File.ReadAllBytes(Path).AsSpan().SequenceEqual(File.ReadAllBytes(LastGoodPath))))
            {
                return false;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return ConfigLoader.TryLoad(LastGoodPath, out config, out _);
    }

    /// <summary>Keeps <paramref name="config"/>, which loaded cleanly from <see cref="Path"/>, as the last good copy (written only when it changed).</summary>
    public void KeepAsGood(IntercomConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        RememberAsGood(config);
    }

    private void RememberAsGood(IntercomConfig config)
    {
        // Housekeeping of the same directory, done with the good copy (after READY=1 in the station, not before its REGISTER).
        RemoveAbandonedSaves();
        var bytes = Encoding.UTF8.GetBytes(ConfigLoader.Serialize(config));
        try
        {
            // Only write when it changed: the SD card should not be written at every start.
            if (File.Exists(LastGoodPath) && File.ReadAllBytes(LastGoodPath).AsSpan().SequenceEqual(bytes))
            {
                return;
            }

            WriteAtomically(LastGoodPath, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only /etc is a legitimate setup; the station runs without a fallback copy then.
        }
    }

    /// <summary>
    /// Deletes the temp files of saves that were killed before their rename (kill -9, power cut): the file itself is
    /// whole either way, but each abandoned temp copy holds the SIP passwords and would otherwise stay on the card.
    /// A temp file whose process is still running belongs to a save in progress and is left alone.
    /// </summary>
    private void RemoveAbandonedSaves()
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var target in (ReadOnlySpan<string>)[Path, LastGoodPath])
        {
            var prefix = "." + System.IO.Path.GetFileName(target) + ".";
            try
            {
                foreach (var temp in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
                {
                    var pid = System.IO.Path.GetFileName(temp).AsSpan(prefix.Length);
                    pid = pid[..^".tmp".Length];
                    if (int.TryParse(pid, System.Globalization.NumberStyles.None, null, out var owner) && !IsRunning(owner))
                    {
                        File.Delete(temp);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only /etc: nothing could have been left there by a save either.
            }
        }
    }

    private static bool IsRunning(int pid) =>
        pid == Environment.ProcessId || (!OperatingSystem.IsWindows() && Directory.Exists($"/proc/{pid}"));

    /// <summary>Write to a temp file in the same directory, fsync it, rename over the target, fsync the directory.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        if (!OperatingSystem.IsWindows())
        {
            SyncDirectory(directory);
        }
    }

    // The rename is only durable once the directory entry is on disk (POSIX: fsync the directory).
    internal static void SyncDirectory(string directory)
    {
        // O_RDONLY alone opens a directory on Linux; O_DIRECTORY's value differs between x86-64 and arm64.
        var fd = Open(directory, ORdOnly);
        if (fd < 0)
        {
            return;
        }

        _ = Fsync(fd);
        _ = Close(fd);
    }

    private const int ORdOnly = 0;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
