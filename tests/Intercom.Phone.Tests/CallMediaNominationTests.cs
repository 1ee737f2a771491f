using System.Net;
using Intercom.Media.Ice;

namespace Intercom.Phone.Tests;

/// <summary>
/// Which nominated pair may move our SDP's default before a pair is selected (RFC 8839 Appendix B's race): one whose
/// local candidate is an address the peer reaches us at. A relayed candidate is (TurnCallTests' case); a host one,
/// which is what a check that came in on the host socket is paired with, may be behind a NAT, and a private address
/// in c=/m= would send the peer's RTP nowhere.
/// </summary>
public sealed class CallMediaNominationTests
{
    [Theory]
    [InlineData(IceCandidateType.Relayed, true)]
    [InlineData(IceCandidateType.ServerReflexive, true)]
    [InlineData(IceCandidateType.Host, false)]
    public void Only_a_nominated_pair_whose_local_candidate_the_peer_reaches_moves_the_default(IceCandidateType type, bool moves)
    {
        var address = IPEndPoint.Parse("198.51.100.10:57512");
        var local = new IceLocalCandidate(
            new IceCandidate
            {
                Foundation = "1", ComponentId = 1, Transport = "UDP", Priority = IcePriority.OfCandidate(type, 65535, 1),
                ConnectionAddress = address.Address.ToString(), Address = address.Address, Port = address.Port, Type = type,
            },
            IPEndPoint.Parse("192.168.1.10:10320"));

        Assert.Equal(moves, CallMediaSession.TellsOurAddress(local));
    }
}
