using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;

namespace Intercom.Reliability.Tests.Harness;

/// <summary>
/// The station as the product runs it: `intercom run --simulate --config FILE` in a child process (so its memory, threads
/// and descriptors are its own), its systemd-format log lines kept for the test to wait on and search.
/// </summary>
public sealed class StationProcess : IAsyncDisposable
{
    private StationProcess(PeerProcess process, string configPath)
    {
        Process = process;
        ConfigPath = configPath;
    }

    public PeerProcess Process { get; }

    public string ConfigPath { get; }

    public int Pid => Process.Pid;

    public static string AppPath => Path.Combine(AppContext.BaseDirectory, "intercom.dll");

    /// <summary>Writes <paramref name="config"/> to DIRECTORY/intercom.json and starts the station on it, waiting for "ready".</summary>
    /// <param name="config">The station's configuration.</param>
    /// <param name="directory">Where the file goes.</param>
    /// <param name="timeout">How long "ready" may take.</param>
    /// <param name="networkNamespace">The network namespace the station runs in; null: the test's own.</param>
    public static async Task<StationProcess> StartAsync(IntercomConfig config, string directory, TimeSpan? timeout = null, NetworkNamespace? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "intercom.json");
        File.WriteAllText(path, ConfigLoader.Serialize(config));
        return await StartOnFileAsync(path, timeout, networkNamespace).ConfigureAwait(false);
    }

    /// <summary>Starts the station on an existing file, waiting for "ready".</summary>
    public static async Task<StationProcess> StartOnFileAsync(string path, TimeSpan? timeout = null, NetworkNamespace? networkNamespace = null)
    {
        var process = PeerProcess.StartIn(networkNamespace?.Name, "dotnet", [AppPath, "run", "--simulate", "--config", path],
            environment: new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });
        var station = new StationProcess(process, path);
        try
        {
            await process.WaitForLineAsync(@"^<6>intercom\[0\]: ready|ready$", timeout ?? TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch
        {
            await station.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return station;
    }

    public ProcessFigures Figures() => ProcessFigures.Read(Pid);

    /// <summary>How many log lines so far contain <paramref name="text"/>.</summary>
    public int Count(string text) => Process.Lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    public Task<string> WaitForLineAsync(string pattern, TimeSpan timeout, int skip = 0) => Process.WaitForLineAsync(pattern, timeout, skip);

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
