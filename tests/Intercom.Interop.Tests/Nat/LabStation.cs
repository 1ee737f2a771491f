using Intercom.Interop.Tests.Peers;
using Intercom.Interop.Tests.Ship;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// The station as it ships (the published NativeAOT binary, `intercom run --simulate --config FILE`) inside the lab's
/// station namespace (`ip netns exec`, so its PID is the station's own), or the test's own on loopback, its
/// systemd-format log kept for the test.
/// The configuration is JSON text, so a test can give it fields the model may not know yet (accounts[].nat) and see
/// the station refuse them.
/// </summary>
public sealed class LabStation : IAsyncDisposable
{
    private LabStation(PeerProcess process, string directory)
    {
        Process = process;
        Directory = directory;
    }

    public PeerProcess Process { get; }

    public string Directory { get; }

    /// <param name="networkNamespace">The namespace to run in; null: the test's own.</param>
    public static async Task<LabStation> StartAsync(string configJson, NetworkNamespace? networkNamespace, string directory, TimeSpan timeout)
    {
        var binary = await PublishedStation.BinaryFor(PublishedStation.HostRid).ConfigureAwait(false);
        System.IO.Directory.CreateDirectory(directory);
        var configPath = Path.Combine(directory, "intercom.json");
        await File.WriteAllTextAsync(configPath, configJson).ConfigureAwait(false);
        var station = new LabStation(PeerProcess.StartIn(networkNamespace?.Name, binary, ["run", "--simulate", "--config", configPath], directory), directory);
        try
        {
            await station.Process.WaitForLineAsync(@"^<6>intercom\[0\]: ready|ready$", timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            var tail = station.Process.Tail();
            await station.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"the station did not become ready in {networkNamespace?.Name ?? "the test's namespace"}:\n{tail}", e);
        }

        return station;
    }

    public Task<string> WaitForLineAsync(string pattern, TimeSpan timeout, int skip = 0) => Process.WaitForLineAsync(pattern, timeout, skip);

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
