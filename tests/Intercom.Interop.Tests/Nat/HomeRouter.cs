using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// A home router: a namespace with a WAN port on the <see cref="InternetSegment"/> (one public address) and a LAN
/// port to the host behind it (a private /24), forwarding between them (ip_forward on inside this namespace only) and
/// translating with nftables masquerade as <see cref="NatBehaviour"/> says. Like a home router's firewall it forwards
/// nothing from the WAN that is not a reply to something the LAN sent (conntrack), so an outsider can reach the host
/// only through a mapping the host opened.
/// </summary>
public sealed class HomeRouter : IDisposable
{
    private const string Wan = "wan";

    private HomeRouter(NetworkNamespace router, string publicAddress, string lanPrefix, NatBehaviour behaviour)
    {
        Namespace = router;
        PublicAddress = publicAddress;
        LanPrefix = lanPrefix;
        Behaviour = behaviour;
    }

    public NetworkNamespace Namespace { get; }

    /// <summary>The WAN address: what the outside sees as the source of everything behind this router.</summary>
    public string PublicAddress { get; }

    /// <summary>The LAN's first three octets, e.g. 192.168.1; the router is .1 on it.</summary>
    public string LanPrefix { get; }

    public string LanAddress => LanPrefix + ".1";

    public NatBehaviour Behaviour { get; }

    /// <summary>Creates the router with its WAN port on <paramref name="internet"/> at <paramref name="publicAddress"/>.</summary>
    public static async Task<HomeRouter> CreateAsync(InternetSegment internet, string publicAddress, string lanPrefix, NatBehaviour behaviour)
    {
        ArgumentNullException.ThrowIfNull(internet);
        var router = new HomeRouter(NetworkNamespace.Create("nat-rtr"), publicAddress, lanPrefix, behaviour);
        try
        {
            internet.Attach(router.Namespace, Wan, publicAddress);
            await NamespaceCommand.ForwardAsync(router.Namespace).ConfigureAwait(false);
            await NamespaceCommand.RunAsync(router.Namespace, router.Ruleset, "nft", "-f", "-").ConfigureAwait(false);
            return router;
        }
        catch
        {
            router.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects <paramref name="host"/> to the LAN at LAN_PREFIX.<paramref name="hostNumber"/>/24, with this router as
    /// its default gateway. Returns the host's address.
    /// </summary>
    public string ConnectLan(NetworkNamespace host, int hostNumber)
    {
        ArgumentNullException.ThrowIfNull(host);
        var address = $"{LanPrefix}.{hostNumber}";
        NetworkNamespace.Link(Namespace, LanAddress + "/24", host, address + "/24");
        host.Ip("route", "add", "default", "via", LanAddress);
        return address;
    }

    /// <summary>
    /// The ruleset: source NAT on the WAN port (RFC 4787 §4.1 mapping per <see cref="Behaviour"/>), and a forward
    /// policy that lets the LAN out and only replies (conntrack established/related) in. What comes to the router
    /// itself from the WAN unasked is dropped without an answer, as home routers do ("stealth"); dropped before
    /// conntrack confirms it, such a packet (a phone's RTP that beat the station's first packet) leaves no entry
    /// behind that would make the router pick another port for the station's own flow to that phone.
    /// </summary>
    public string Ruleset => $$"""
        table ip nat {
            chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "{{Wan}}" masquerade{{(Behaviour == NatBehaviour.Symmetric ? " fully-random" : "")}}
            }
        }
        table ip filter {
            chain input {
                type filter hook input priority filter; policy accept;
                iifname "{{Wan}}" ct state established,related accept
                iifname "{{Wan}}" drop
            }
            chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                iifname != "{{Wan}}" oifname "{{Wan}}" accept
            }
        }

        """;

    public void Dispose() => Namespace.Dispose();
}
