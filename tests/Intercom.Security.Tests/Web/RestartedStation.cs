using System.Text.RegularExpressions;
using Intercom.Interop.Tests.Peers;
using Intercom.Interop.Tests.Ship;

namespace Intercom.Security.Tests.Web;

/// <summary>
/// The published binary started more than once on one directory, as a power cycle does: the configuration, the web state
/// (admin password and token hashes) and the setup secret stay between runs; each run gets its own extra arguments
/// (`--simulate-held exit:12`: the exit button held from the start). Each run is stopped by its PID; the directory goes
/// with the object.
/// </summary>
internal sealed class RestartedStation : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private RestartedStation(string directory, string configPath)
    {
        Directory = directory;
        ConfigPath = configPath;
    }

    public string Directory { get; }

    public string ConfigPath { get; }

    // Door relay energised in the runs that ended.
    private int _endedRunsDoorOpenings;

    /// <summary>The run going on, or null.</summary>
    public PeerProcess? Run { get; private set; }

    /// <summary>Door relay energised in any run so far (the simulated board logs each change).</summary>
    public int DoorOpenings => _endedRunsDoorOpenings + Count(@"Relay: door energised\b");

    public static async Task<RestartedStation> CreateAsync(string configJson)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("intercom-security-restart-").FullName;
        var configPath = Path.Combine(directory, "intercom.json");
        await File.WriteAllTextAsync(configPath, configJson);
        return new RestartedStation(directory, configPath);
    }

    /// <summary>Stops the run going on, starts a new one (`run --simulate --config FILE` and <paramref name="extra"/>) and waits for "ready".</summary>
    public async Task<PeerProcess> StartAsync(params string[] extra)
    {
        await StopAsync();
        var binary = await PublishedStation.BinaryFor(PublishedStation.HostRid);
        Run = PeerProcess.Start(binary, ["run", "--simulate", "--config", ConfigPath, .. extra]);
        try
        {
            await Run.WaitForLineAsync("ready", StartTimeout);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"the station did not become ready:\n{Run.Tail()}", e);
        }

        return Run;
    }

    public async Task StopAsync()
    {
        if (Run is { } run)
        {
            Run = null;
            await run.DisposeAsync();
            _endedRunsDoorOpenings += Count(run, @"Relay: door energised\b");
        }
    }

    public Task<string> WaitForLineAsync(string pattern, TimeSpan timeout) => Run!.WaitForLineAsync(pattern, timeout);

    public int Count(string pattern) => Run is null ? 0 : Count(Run, pattern);

    public string SetupSecretFile => Path.Combine(Directory, "web-setup-secret");

    /// <summary>The setup secret of the first start, for a test to show it no longer works.</summary>
    public string? FirstSecret { get; set; }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int Count(PeerProcess run, string pattern) => run.Lines.Count(l => Regex.IsMatch(l, pattern));
}
