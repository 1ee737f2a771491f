using Intercom.Interop.Tests.Peers;
using Intercom.Interop.Tests.Ship;

namespace Intercom.Interop.Tests.Nat;

/// <summary>Runs a command inside a lab namespace (`ip netns exec`) to completion, failing with its output when it fails.</summary>
internal static class NamespaceCommand
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(NetworkNamespace networkNamespace, string? standardInput, params string[] command)
    {
        var (exitCode, output) = await PublishedStation.RunAsync("ip", ["netns", "exec", networkNamespace.Name, .. command], Bound, standardInput)
            .ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"in {networkNamespace.Name}: {string.Join(' ', command)} failed ({exitCode}): {output}");
        }
    }

    /// <summary>Turns IPv4 forwarding on in this namespace only (the setting is per network namespace).</summary>
    public static Task ForwardAsync(NetworkNamespace networkNamespace) =>
        RunAsync(networkNamespace, null, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
}
