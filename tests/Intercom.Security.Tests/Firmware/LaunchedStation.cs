using Intercom.Interop.Tests.Peers;
using Intercom.Interop.Tests.Ship;

namespace Intercom.Security.Tests.Firmware;

/// <summary>
/// The station as the Debian package runs it: systemd starting image/debian/intercom-launch again whenever it exits
/// (Restart=always), the published binary as the package's <c>/usr/lib/intercom/intercom</c>, a state directory for
/// installed releases, and a release-keys directory holding the test's own Ed25519 key. The test plays systemd:
/// <see cref="RestartAsync"/> waits for the exit and starts the launcher again. Every run is stopped by its PID.
/// </summary>
internal sealed class LaunchedStation : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;

    private LaunchedStation(string directory, string configPath, Dictionary<string, string> environment)
    {
        Directory = directory;
        ConfigPath = configPath;
        _environment = environment;
    }

    public string Directory { get; }

    public string ConfigPath { get; }

    public string Releases => Path.Combine(_environment["STATE_DIRECTORY"], "releases");

    public string PackageDirectory => Path.GetDirectoryName(_environment["INTERCOM_PACKAGE_BINARY"])!;

    public PeerProcess? Run { get; private set; }

    /// <summary>Everything every run logged, in order (a run's lines stay after it ended).</summary>
    public List<string> Log { get; } = [];

    public static async Task<LaunchedStation> CreateAsync(string configJson, string trustedKeyFile)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("intercom-firmware-").FullName;
        var package = System.IO.Directory.CreateDirectory(Path.Combine(directory, "usr-lib-intercom")).FullName;
        foreach (var file in System.IO.Directory.EnumerateFiles(await PublishedStation.DirectoryFor(PublishedStation.HostRid)))
        {
            if (Path.GetFileName(file) is "intercom" || file.EndsWith(".so", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(package, Path.GetFileName(file)));
            }
        }

        var keys = System.IO.Directory.CreateDirectory(Path.Combine(directory, "release-keys.d")).FullName;
        File.Copy(trustedKeyFile, Path.Combine(keys, "test.pub"));
        var state = System.IO.Directory.CreateDirectory(Path.Combine(directory, "var-lib-intercom")).FullName;
        var configPath = Path.Combine(directory, "intercom.json");
        await File.WriteAllTextAsync(configPath, configJson);
        return new LaunchedStation(directory, configPath, new Dictionary<string, string>
        {
            ["STATE_DIRECTORY"] = state,
            ["INTERCOM_PACKAGE_BINARY"] = Path.Combine(package, "intercom"),
            ["INTERCOM_RELEASE_KEYS"] = keys,
        });
    }

    /// <summary>Starts the launcher (no run may be going on).</summary>
    public PeerProcess Start()
    {
        var launcher = Path.Combine(PublishedStation.RepositoryRoot, "image", "debian", "intercom-launch");
        Run = PeerProcess.Start("sh", [launcher, "run", "--simulate", "--config", ConfigPath], Directory, _environment);
        return Run;
    }

    /// <summary>What systemd does after an exit: waits for the run to end (bounded), keeps its log, starts the launcher again.</summary>
    public async Task<int> RestartAsync(TimeSpan timeout)
    {
        var run = Run!;
        var code = await run.WaitForExitAsync(timeout);
        Log.AddRange(run.Lines);
        await run.DisposeAsync();
        Start();
        return code;
    }

    /// <summary>The executable the current run is (the launcher exec's it, so the PID stays the launcher's).</summary>
    public string RunningExecutable => File.ResolveLinkTarget($"/proc/{Run!.Pid}/exe", returnFinalTarget: false)?.FullName ?? "";

    public async ValueTask DisposeAsync()
    {
        if (Run is { } run)
        {
            await run.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a process that is going away; the temp directory is reclaimed anyway.
        }
    }
}
