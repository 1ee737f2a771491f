using System.Net;
using Intercom.Media.Ice;

namespace Intercom.Media.Tests.Ice;

public sealed class IceAnsweredChecksTests
{
    private static readonly IPEndPoint Phone = IPEndPoint.Parse("198.51.100.2:35149");

    [Fact]
    public void For_each_peer_address_the_highest_priority_candidate_that_answered_it_is_kept()
    {
        var answered = new IceAnsweredChecks();
        IceLocalCandidate relayed = Local(IceCandidateType.Relayed, "198.51.100.10:59914");
        IceLocalCandidate host = Local(IceCandidateType.Host, "192.168.1.10:10842");
        Assert.Null(answered.HighestAnswering(Phone));

        answered.Record(Phone, relayed);
        Assert.Same(relayed, answered.HighestAnswering(Phone));

        answered.Record(Phone, host);
        Assert.Same(host, answered.HighestAnswering(Phone));

        // A later check on a lower candidate does not take the place of a higher one.
        answered.Record(Phone, relayed);
        Assert.Same(host, answered.HighestAnswering(Phone));

        // Another port of the same host is another candidate of the peer's.
        Assert.Null(answered.HighestAnswering(IPEndPoint.Parse("198.51.100.2:35150")));
    }

    [Fact]
    public void The_table_is_bounded_and_keeps_the_addresses_it_had()
    {
        var answered = new IceAnsweredChecks();
        IceLocalCandidate relayed = Local(IceCandidateType.Relayed, "198.51.100.10:59914");
        for (int port = 1000; port < 1200; port++)
        {
            answered.Record(new IPEndPoint(IPAddress.Parse("198.51.100.2"), port), relayed);
        }

        Assert.Same(relayed, answered.HighestAnswering(new IPEndPoint(IPAddress.Parse("198.51.100.2"), 1000)));
        Assert.Null(answered.HighestAnswering(new IPEndPoint(IPAddress.Parse("198.51.100.2"), 1199)));
    }

    private static IceLocalCandidate Local(IceCandidateType type, string address)
    {
        var at = IPEndPoint.Parse(address);
        return new IceLocalCandidate(
            new IceCandidate
            {
                Foundation = type.ToString(), ComponentId = 1, Transport = "UDP", Priority = IcePriority.OfCandidate(type, 65535, 1),
                ConnectionAddress = at.Address.ToString(), Address = at.Address, Port = at.Port, Type = type,
            },
            at);
    }
}
