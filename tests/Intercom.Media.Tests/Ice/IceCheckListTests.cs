using System.Net;
using Intercom.Media.Ice;

namespace Intercom.Media.Tests.Ice;

public sealed class IceCheckListTests
{
    private static readonly IPEndPoint StationBase = IPEndPoint.Parse("192.168.1.2:40000");

    [Fact]
    public void Pairs_every_local_with_every_remote_candidate_of_the_same_component_highest_priority_first()
    {
        IceCheckList list = IceCheckList.Form(
            [Host("h", StationBase, 1), Host("h2", IPEndPoint.Parse("10.0.0.2:40000"), 1, localPreference: 100)],
            [Remote("r1", "198.51.100.20", 5000, IceCandidateType.ServerReflexive), Remote("r2", "10.0.0.9", 5002, IceCandidateType.Host)],
            controlling: true);

        Assert.Equal(4, list.Pairs.Count);
        Assert.True(list.Pairs.Zip(list.Pairs.Skip(1)).All(p => p.First.Priority >= p.Second.Priority));
        Assert.Equal("10.0.0.9:5002", list.Pairs[0].RemoteEndPoint.ToString());
    }

    [Fact]
    public void A_server_reflexive_candidate_is_checked_from_its_base_and_its_duplicate_pairs_pruned()
    {
        // RFC 8445 §6.1.2.4: our srflx 198.51.100.7:40000 has the host 192.168.1.2:40000 as base; paired, it would
        // send the same checks as the host candidate, so only the higher (host) pair stays.
        IceLocalCandidate srflx = new(new IceCandidate
        {
            Foundation = "s", ComponentId = 1, Transport = "UDP", ConnectionAddress = "198.51.100.7", Address = IPAddress.Parse("198.51.100.7"),
            Port = 40000, Priority = IcePriority.OfCandidate(IceCandidateType.ServerReflexive, 65535, 1), Type = IceCandidateType.ServerReflexive,
            RelatedAddress = "192.168.1.2", RelatedPort = 40000,
        }, StationBase);

        IceCheckList list = IceCheckList.Form([Host("h", StationBase, 1), srflx], [Remote("r", "198.51.100.20", 5000, IceCandidateType.Host)], controlling: false);

        IceCandidatePair pair = Assert.Single(list.Pairs);
        Assert.Equal(StationBase, pair.Local.Base);
        Assert.Equal("h", pair.Local.Candidate.Foundation);
    }

    [Fact]
    public void Both_agents_order_their_pairs_the_same_way()
    {
        IceLocalCandidate[] aLocals = [Host("a1", IPEndPoint.Parse("192.0.2.1:1000"), 1), Host("a2", IPEndPoint.Parse("192.0.2.2:1002"), 1, localPreference: 7)];
        IceLocalCandidate[] bLocals = [Host("b1", IPEndPoint.Parse("192.0.2.9:2000"), 1, localPreference: 300), Host("b2", IPEndPoint.Parse("192.0.2.8:2002"), 1, localPreference: 9)];

        IceCheckList a = IceCheckList.Form(aLocals, [.. bLocals.Select(l => l.Candidate)], controlling: true);
        IceCheckList b = IceCheckList.Form(bLocals, [.. aLocals.Select(l => l.Candidate)], controlling: false);

        Assert.Equal(a.Pairs.Select(p => (p.Local.Base.ToString(), p.RemoteEndPoint.ToString())),
            b.Pairs.Select(p => (p.RemoteEndPoint.ToString(), p.Local.Base.ToString())));
        Assert.Equal(a.Pairs.Select(p => p.Priority), b.Pairs.Select(p => p.Priority));
    }

    [Fact]
    public void Leaves_out_what_cannot_be_checked_another_family_an_unresolved_name_tcp_another_component_link_local_with_global()
    {
        IceCandidate mdns = Remote("m", "192.0.2.50", 5000, IceCandidateType.Host);
        mdns = new IceCandidate
        {
            Foundation = "m", ComponentId = 1, Transport = "UDP", ConnectionAddress = "1f4712db.local", Port = 5000,
            Priority = mdns.Priority, Type = IceCandidateType.Host,
        };
        IceCandidate tcp = new()
        {
            Foundation = "t", ComponentId = 1, Transport = "TCP", ConnectionAddress = "192.0.2.51", Address = IPAddress.Parse("192.0.2.51"),
            Port = 9, Priority = 1, Type = IceCandidateType.Host,
        };

        IceCheckList list = IceCheckList.Form(
            [Host("h", StationBase, 1), Host("l", IPEndPoint.Parse("[fe80::1]:40000"), 1)],
            [Remote("v6", "2001:db8::20", 5000, IceCandidateType.Host), mdns, tcp, Remote("c2", "192.0.2.52", 5001, IceCandidateType.Host, component: 2)],
            controlling: true);

        Assert.Empty(list.Pairs);
    }

    [Fact]
    public void Keeps_at_most_the_limit_of_pairs_the_highest_ones()
    {
        IceLocalCandidate[] locals = [.. Enumerable.Range(0, 10).Select(i => Host("l" + i, new IPEndPoint(IPAddress.Parse("192.168.1." + (i + 2)), 40000), 1, localPreference: i))];
        IceCandidate[] remotes = [.. Enumerable.Range(0, 20).Select(i => Remote("r" + i, "198.51.100." + (i + 1), 5000, IceCandidateType.ServerReflexive))];

        IceCheckList all = IceCheckList.Form(locals, remotes, controlling: true, maxPairs: 1000);
        IceCheckList bounded = IceCheckList.Form(locals, remotes, controlling: true);

        Assert.Equal(200, all.Pairs.Count);
        Assert.Equal(IceCheckList.DefaultMaxPairs, bounded.Pairs.Count);
        Assert.Equal(all.Pairs.Take(100).Select(p => p.Priority), bounded.Pairs.Select(p => p.Priority));
    }

    [Fact]
    public void Starts_one_pair_per_foundation_waiting_the_lowest_component_and_freezes_the_rest()
    {
        IceCheckList list = IceCheckList.Form(
            [Host("h", StationBase, 1), Host("h", IPEndPoint.Parse("192.168.1.2:40001"), 2)],
            [Remote("r", "198.51.100.20", 5000, IceCandidateType.Host), Remote("r", "198.51.100.20", 5001, IceCandidateType.Host, component: 2),
             Remote("q", "198.51.100.21", 6000, IceCandidateType.Host)],
            controlling: true);

        Assert.Equal(3, list.Pairs.Count);
        IceCandidatePair waitingHR = Assert.Single(list.Pairs, p => p.Foundation == "h:r" && p.State == IceCandidatePairState.Waiting);
        Assert.Equal(1, waitingHR.ComponentId);
        Assert.Equal(IceCandidatePairState.Frozen, Assert.Single(list.Pairs, p => p.Foundation == "h:r" && p.ComponentId == 2).State);
        Assert.Equal(IceCandidatePairState.Waiting, Assert.Single(list.Pairs, p => p.Foundation == "h:q").State);
        Assert.Same(list.Pairs.First(p => p.State == IceCandidatePairState.Waiting), list.First(IceCandidatePairState.Waiting));
    }

    private static IceLocalCandidate Host(string foundation, IPEndPoint at, int component, int localPreference = 65535) => new(new IceCandidate
    {
        Foundation = foundation, ComponentId = component, Transport = "UDP", ConnectionAddress = at.Address.ToString(), Address = at.Address,
        Port = at.Port, Priority = IcePriority.OfCandidate(IceCandidateType.Host, localPreference, component), Type = IceCandidateType.Host,
    }, at);

    private static IceCandidate Remote(string foundation, string address, int port, IceCandidateType type, int component = 1) => new()
    {
        Foundation = foundation, ComponentId = component, Transport = "UDP", ConnectionAddress = address, Address = IPAddress.Parse(address),
        Port = port, Priority = IcePriority.OfCandidate(type, 65535, component), Type = type,
    };
}
