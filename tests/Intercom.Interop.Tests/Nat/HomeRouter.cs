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

    /// <summary>
    /// The public ports masquerade maps to (e.g. "40000-40999"), or null for Linux's default: the inside port when it is
    /// free. Set by <see cref="RestartAsync"/>.
    /// </summary>
    public string? PublicPorts { get; private set; }

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
                {{Masquerade}}
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

    /// <summary>
    /// What a home router's reboot or a WAN reconnect (PPPoE, DHCP lease lost) does to the hosts behind it: every mapping
    /// is gone. The WAN port goes down and up again, and the kernel drops every conntrack entry masquerade made through it
    /// (it does so when the interface goes down: the public address those mappings name may not come back), so whatever
    /// a host sends next gets a new mapping. The router comes back mapping to <paramref name="publicPorts"/>
    /// ("40000-40999"), as a router that does not keep the inside port does (and as any router must when another host
    /// behind it took that port meanwhile): a registration's public address:port is then stale. The forward and input
    /// policy are those of <see cref="Ruleset"/> again, so only replies get in.
    /// </summary>
    public async Task RestartAsync(string publicPorts)
    {
        PublicPorts = publicPorts;
        Namespace.Ip("link", "set", Wan, "down");
        await NamespaceCommand.RunAsync(Namespace, "flush ruleset\n" + Ruleset, "nft", "-f", "-").ConfigureAwait(false);
        Namespace.Ip("link", "set", Wan, "up");
        // Taking the port down removed the routes through it.
        Namespace.Ip("route", "replace", "default", "via", InternetSegment.Gateway);
    }

    /// <summary>
    /// Counts the RTP packets of <paramref name="payloadType"/> that reach the WAN port for public port
    /// <paramref name="port"/>, before connection tracking, NAT or the filter see them (a counter in a prerouting chain of
    /// raw priority; the payload type is the low 7 bits of the RTP header's second byte, RFC 3550 §5.1). So a test can
    /// tell "sent, and dropped here" from "never sent". Read with <see cref="CountedAsync"/>.
    /// </summary>
    public Task CountRtpArrivingAsync(int port, int payloadType) => NamespaceCommand.RunAsync(Namespace, $$"""
        table ip lab {
            counter rtp { }
            chain count {
                type filter hook prerouting priority raw; policy accept;
                iifname "{{Wan}}" udp dport {{port}} @th,73,7 {{payloadType}} counter name "rtp"
            }
        }

        """, "nft", "-f", "-");

    /// <summary>The packets <see cref="CountRtpArrivingAsync"/> has counted so far.</summary>
    public Task<long> CountedAsync() => PacketsAsync(@"packets (?<n>\d+)", "RTP counter", "list", "counter", "ip", "lab", "rtp");

    /// <summary>
    /// Drops every UDP packet the LAN sends out, counting them, as some corporate and guest networks do: only TCP (and
    /// with it TLS) leaves. Read the count with <see cref="DroppedUdpAsync"/>.
    /// </summary>
    public Task BlockOutgoingUdpAsync() => NamespaceCommand.RunAsync(Namespace, null,
        "nft", "insert", "rule", "ip", "filter", "forward", "iifname", "!=", Wan, "oifname", Wan, "meta", "l4proto", "udp", "counter", "drop");

    /// <summary>The UDP packets from the LAN that <see cref="BlockOutgoingUdpAsync"/>'s rule has dropped so far.</summary>
    public Task<long> DroppedUdpAsync() =>
        PacketsAsync(@"udp counter packets (?<n>\d+) bytes \d+ drop", "UDP drop rule", "list", "chain", "ip", "filter", "forward");

    /// <summary>The router's connection tracking table (/proc/net/nf_conntrack in its namespace): its mappings.</summary>
    public async Task<string> ConntrackAsync()
    {
        var (_, output) = await Ship.PublishedStation.RunAsync("ip", ["netns", "exec", Namespace.Name, "cat", "/proc/net/nf_conntrack"],
            TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return output;
    }

    public void Dispose() => Namespace.Dispose();

    // A port range needs the transport protocol matched first (nftables maps ports only of TCP and UDP).
    private string Masquerade => PublicPorts is { } ports
        ? $"oifname \"{Wan}\" meta l4proto {{ tcp, udp }} masquerade to :{ports}{FullyRandom}\n        oifname \"{Wan}\" masquerade{FullyRandom}"
        : $"oifname \"{Wan}\" masquerade{FullyRandom}";

    private string FullyRandom => Behaviour == NatBehaviour.Symmetric ? " fully-random" : "";

    /// <summary>Lists an nftables object of this router (`nft ARGS`) and reads the packet count <paramref name="pattern"/> finds in it.</summary>
    private async Task<long> PacketsAsync(string pattern, string what, params string[] nft)
    {
        var (exitCode, output) = await Ship.PublishedStation.RunAsync("ip", ["netns", "exec", Namespace.Name, "nft", .. nft], TimeSpan.FromSeconds(10))
            .ConfigureAwait(false);
        var packets = System.Text.RegularExpressions.Regex.Match(output, pattern);
        return exitCode == 0 && packets.Success
            ? long.Parse(packets.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"no {what} in {Namespace.Name}: {output}");
    }
}
