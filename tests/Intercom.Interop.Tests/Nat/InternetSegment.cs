using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// The lab's "internet": one Ethernet segment (a Linux bridge in a namespace of its own) that the provider, the phone
/// and the home routers' WAN ports plug into, numbered from RFC 5737's documentation range so it can never be mistaken
/// for, or routed to, a real network. Nothing on it has a route to a private (RFC 1918) address: as on the real
/// internet, a packet to 192.168.x.y from out here goes nowhere.
/// </summary>
public sealed class InternetSegment : IDisposable
{
    /// <summary>The segment's prefix (TEST-NET-2, RFC 5737 §3).</summary>
    public const string Prefix = "198.51.100";

    private const string Bridge = "inet0";

    private InternetSegment(NetworkNamespace segment) => Namespace = segment;

    public NetworkNamespace Namespace { get; }

    public static InternetSegment Create()
    {
        var segment = NetworkNamespace.Create("nat-inet");
        try
        {
            segment.Ip("link", "add", Bridge, "type", "bridge");
            segment.Ip("link", "set", Bridge, "up");
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
    /// <paramref name="interfaceName"/>, gets <paramref name="address"/> (PREFIX.N/24).
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
    }

    public void Dispose() => Namespace.Dispose();
}
