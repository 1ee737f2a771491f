using System.Text.RegularExpressions;
using Intercom.Interop.Tests.Peers;
using Intercom.Interop.Tests.Ship;

namespace Intercom.Security.Tests.Harness;

/// <summary>
/// The station as an attacker meets it: the published NativeAOT binary (`intercom run --simulate --config FILE`) in a
/// child process of its own, started on a configuration file written by the test into a temporary directory, its
/// systemd-format log kept so a test can wait for (and count) what the station did, e.g. the simulated relay's
/// "relay door energised" line. Stopped by its PID when disposed; the directory is removed with it.
/// </summary>
public sealed class AotStation : IAsyncDisposable
{
    private static readonly TimeSpan DefaultStart = TimeSpan.FromSeconds(30);

    private AotStation(PeerProcess process, string directory, string configPath)
    {
        Process = process;
        Directory = directory;
        ConfigPath = configPath;
    }

    public PeerProcess Process { get; }

    /// <summary>The station's own directory (configuration, web state, certificates).</summary>
    public string Directory { get; }

    public string ConfigPath { get; }

    public int Pid => Process.Pid;

    /// <summary>Starts the binary on <paramref name="configJson"/> and waits for its "ready" line.</summary>
    /// <param name="configJson">The whole configuration file.</param>
    /// <param name="networkNamespace">The namespace to run in; null: the test's own.</param>
    /// <param name="extraFiles">Files written beside the configuration first (name, content).</param>
    public static async Task<AotStation> StartAsync(string configJson, NetworkNamespace? networkNamespace = null,
        IReadOnlyDictionary<string, string>? extraFiles = null, TimeSpan? timeout = null)
    {
        var binary = await PublishedStation.BinaryFor(PublishedStation.HostRid).ConfigureAwait(false);
        var directory = System.IO.Directory.CreateTempSubdirectory("intercom-security-").FullName;
        var configPath = Path.Combine(directory, "intercom.json");
        await File.WriteAllTextAsync(configPath, configJson).ConfigureAwait(false);
        foreach (var (name, content) in extraFiles ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), content).ConfigureAwait(false);
        }

        var process = PeerProcess.StartIn(networkNamespace?.Name, binary, ["run", "--simulate", "--config", configPath]);
        var station = new AotStation(process, directory, configPath);
        try
        {
            await process.WaitForLineAsync(@"ready", timeout ?? DefaultStart).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            var tail = process.Tail();
            await station.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"the station did not become ready:\n{tail}", e);
        }

        return station;
    }

    /// <summary>How many log lines so far match <paramref name="pattern"/> (a regular expression).</summary>
    public int Count(string pattern) => Process.Lines.Count(l => Regex.IsMatch(l, pattern));

    /// <summary>How many times the door relay has been energised so far (the simulated board logs each change).</summary>
    public int DoorOpenings(string relay = "door") => Count($@"Relay: {Regex.Escape(relay)} energised\b");

    public Task<string> WaitForLineAsync(string pattern, TimeSpan timeout, int skip = 0) => Process.WaitForLineAsync(pattern, timeout, skip);

    public string Tail(int lines = 80) => Process.Tail(lines);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
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
