using Intercom.Media.Ice;

namespace Intercom.Media.Tests.Ice;

public sealed class IcePriorityTests
{
    [Fact]
    public void Reproduces_the_priorities_of_the_rfc_8839_examples()
    {
        // RFC 8839 §5.1's host and server-reflexive candidates, both with the highest local preference on component 1.
        Assert.Equal(2130706431u, IcePriority.OfCandidate(IceCandidateType.Host, 65535, 1));
        Assert.Equal(1694498815u, IcePriority.OfCandidate(IceCandidateType.ServerReflexive, 65535, 1));
    }

    [Fact]
    public void Orders_host_then_peer_reflexive_then_server_reflexive_then_relayed_and_rtp_before_rtcp()
    {
        uint host = IcePriority.OfCandidate(IceCandidateType.Host, 0, 1);
        uint prflx = IcePriority.OfCandidate(IceCandidateType.PeerReflexive, 65535, 1);
        uint srflx = IcePriority.OfCandidate(IceCandidateType.ServerReflexive, 65535, 1);
        uint relay = IcePriority.OfCandidate(IceCandidateType.Relayed, 65535, 1);

        Assert.True(host > prflx && prflx > srflx && srflx > relay);
        Assert.True(IcePriority.OfCandidate(IceCandidateType.Host, 10, 1) > IcePriority.OfCandidate(IceCandidateType.Host, 10, 2));
    }

    [Fact]
    public void Gives_both_agents_the_same_pair_order_and_breaks_ties_toward_the_controlling_side()
    {
        // RFC 8445 §6.1.2.3: 2^32·MIN(G,D) + 2·MAX(G,D) + (G>D?1:0).
        Assert.Equal((5UL << 32) + (7UL * 2) + 1, IcePriority.OfPair(controlling: 7, controlled: 5));
        Assert.Equal((5UL << 32) + (7UL * 2), IcePriority.OfPair(controlling: 5, controlled: 7));
        Assert.True(IcePriority.OfPair(IceCandidate.MaxPriority, IceCandidate.MaxPriority) > IcePriority.OfPair(IceCandidate.MaxPriority, IceCandidate.MaxPriority - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.OfPair(IceCandidate.MaxPriority + 1, 1));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(65536, 1)]
    [InlineData(0, 0)]
    [InlineData(0, 257)]
    public void Refuses_preferences_and_components_outside_their_ranges(int localPreference, int component)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IcePriority.OfCandidate(IceCandidateType.Host, localPreference, component));
    }
}
