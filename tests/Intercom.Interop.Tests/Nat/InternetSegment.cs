using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// The lab's "internet": one Ethernet segment (a Linux bridge in a namespace of its own) that the provider, the phone
/// and the home routers' WAN ports plug into, numbered from RFC 5737's documentation range so it can never be mistaken
/// for, or routed to, a real network. Every host's default route is the segment's gateway (.254, the bridge
/// namespace itself), which drops what is sent to a private (RFC 1918) address without a word, as the internet does
/// (RFC 1918 §3): a phone that sends RTP to 192.168.1.10 sends it into the void, it does not get an error.
/// </summary>
public sealed class InternetSegment : IDisposable
{
    /// <summary>The segment's prefix (TEST-NET-2, RFC 5737 §3).</summary>
    public const string Prefix = "198.51.100";

    /// <summary>The default gateway of every host on the segment.</summary>
    public const string Gateway = Prefix + ".254";

    private const string Bridge = "inet0";

    private InternetSegment(NetworkNamespace segment) => Namespace = segment;

    public NetworkNamespace Namespace { get; }

    public static async Task<InternetSegment> CreateAsync()
    {
        var segment = NetworkNamespace.Create("nat-inet");
        try
        {
            segment.Ip("link", "add", Bridge, "type", "bridge");
            segment.Ip("addr", "add", Gateway + "/24", "dev", Bridge);
            segment.Ip("link", "set", Bridge, "up");
            foreach (var privateNetwork in new[] { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16" })
            {
                // A blackhole route discards forwarded packets silently: no ICMP error goes back to the sender.
                segment.Ip("route", "add", "blackhole", privateNetwork);
            }

            await NamespaceCommand.ForwardAsync(segment).ConfigureAwait(false);
            return new InternetSegment(segment);
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Plugs <paramref name="host"/> in: a veth pair whose segment end is a bridge port and whose host end, named
    /// <paramref name="interfaceName"/>, gets <paramref name="address"/> (PREFIX.N/24) and the segment's gateway as its
    /// default route.
    /// </summary>
    public void Attach(NetworkNamespace host, string interfaceName, string address)
    {
        ArgumentNullException.ThrowIfNull(host);
        var port = "p" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        Namespace.Ip("link", "add", port, "type", "veth", "peer", "name", interfaceName, "netns", host.Name);
        Namespace.Ip("link", "set", port, "master", Bridge);
        Namespace.Ip("link", "set", port, "up");
        host.Ip("addr", "add", address + "/24", "dev", interfaceName);
        host.Ip("link", "set", interfaceName, "up");
        host.Ip("route", "add", "default", "via", Gateway);
    }

    public void Dispose() => Namespace.Dispose();
}
