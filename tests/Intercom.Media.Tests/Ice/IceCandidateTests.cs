using System.Net;
using Intercom.Media.Ice;

namespace Intercom.Media.Tests.Ice;

public sealed class IceCandidateTests
{
    [Fact]
    public void Reads_the_host_candidate_of_rfc_8839()
    {
        Assert.True(IceCandidate.TryParse("1 1 UDP 2130706431 203.0.113.141 8998 typ host", out IceCandidate? c, out IceCandidateParseError error));

        Assert.Equal(IceCandidateParseError.None, error);
        Assert.Equal("1", c.Foundation);
        Assert.Equal(1, c.ComponentId);
        Assert.True(c.IsUdp);
        Assert.Equal(2130706431u, c.Priority);
        Assert.Equal(IPAddress.Parse("203.0.113.141"), c.Address);
        Assert.Equal(8998, c.Port);
        Assert.Equal(IceCandidateType.Host, c.Type);
        Assert.Null(c.RelatedAddress);
        Assert.Null(c.RelatedPort);
    }

    [Fact]
    public void Reads_a_server_reflexive_candidate_with_its_base()
    {
        Assert.True(IceCandidate.TryParse("2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998", out IceCandidate? c, out _));

        Assert.Equal(IceCandidateType.ServerReflexive, c.Type);
        Assert.Equal("203.0.113.141", c.RelatedAddress);
        Assert.Equal(8998, c.RelatedPort);
    }

    [Fact]
    public void Reads_what_a_browser_writes_an_mdns_name_and_its_extensions_in_order()
    {
        const string Chrome = "3098175849 1 udp 2122262783 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54321 typ host generation 0 ufrag EsAw network-id 1 network-cost 10";

        Assert.True(IceCandidate.TryParse(Chrome, out IceCandidate? c, out _));

        Assert.Null(c.Address);
        Assert.Equal("1f4712db-ea17-4bcf-a596-105139dfd8bf.local", c.ConnectionAddress);
        Assert.Equal(["generation", "ufrag", "network-id", "network-cost"], c.Extensions.Select(e => e.Key));
        Assert.Equal("EsAw", c.Extensions[1].Value);
        Assert.Equal(Chrome, c.ToString());
    }

    [Fact]
    public void Keeps_tcp_candidates_for_what_they_are()
    {
        Assert.True(IceCandidate.TryParse("2 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active", out IceCandidate? c, out _));

        Assert.False(c.IsUdp);
        Assert.Equal(new KeyValuePair<string, string>("tcptype", "active"), Assert.Single(c.Extensions));
    }

    [Theory]
    [InlineData("1 1 UDP 2130706431 203.0.113.141 8998 typ host")]
    [InlineData("2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998")]
    [InlineData("a+/Z 2 UDP 16777215 2001:db8::1 1 typ relay raddr 0.0.0.0 rport 0")]
    [InlineData("7 1 UDP 1845501695 198.51.100.7 40000 typ prflx raddr 192.168.1.2 rport 40000 generation 0")]
    public void Writes_what_it_reads(string value)
    {
        Assert.True(IceCandidate.TryParse(value, out IceCandidate? c, out _));
        Assert.Equal(value, c.ToString());
    }

    [Fact]
    public void Is_liberal_with_runs_of_spaces_and_the_case_of_the_type()
    {
        Assert.True(IceCandidate.TryParse("1  1 UDP 2130706431 203.0.113.141   8998 typ HOST ", out IceCandidate? c, out _));
        Assert.Equal(IceCandidateType.Host, c.Type);
    }

    [Theory]
    [InlineData("", IceCandidateParseError.MissingField)]
    [InlineData("1 1 UDP 2130706431 203.0.113.141 8998 typ", IceCandidateParseError.MissingField)]
    [InlineData("f=o 1 UDP 1 203.0.113.141 8998 typ host", IceCandidateParseError.BadFoundation)]
    [InlineData("123456789012345678901234567890123 1 UDP 1 203.0.113.141 8998 typ host", IceCandidateParseError.BadFoundation)]
    [InlineData("1 0 UDP 1 203.0.113.141 8998 typ host", IceCandidateParseError.BadComponent)]
    [InlineData("1 257 UDP 1 203.0.113.141 8998 typ host", IceCandidateParseError.BadComponent)]
    [InlineData("1 1 U\"P 1 203.0.113.141 8998 typ host", IceCandidateParseError.BadTransport)]
    [InlineData("1 1 UDP 0 203.0.113.141 8998 typ host", IceCandidateParseError.BadPriority)]
    [InlineData("1 1 UDP 2147483648 203.0.113.141 8998 typ host", IceCandidateParseError.BadPriority)]
    [InlineData("1 1 UDP 12345678901 203.0.113.141 8998 typ host", IceCandidateParseError.BadPriority)]
    [InlineData("1 1 UDP 1 127.1 8998 typ host", IceCandidateParseError.BadAddress)]
    [InlineData("1 1 UDP 1 0x7f.0.0.1 8998 typ host", IceCandidateParseError.BadAddress)]
    [InlineData("1 1 UDP 1 256.1.1.1 8998 typ host", IceCandidateParseError.BadAddress)]
    [InlineData("1 1 UDP 1 fe80::1%eth0 8998 typ host", IceCandidateParseError.BadAddress)]
    [InlineData("1 1 UDP 1 -bad-.local 8998 typ host", IceCandidateParseError.BadAddress)]
    [InlineData("1 1 UDP 1 host.123 8998 typ host", IceCandidateParseError.BadAddress)]
    [InlineData("1 1 UDP 1 203.0.113.141 65536 typ host", IceCandidateParseError.BadPort)]
    [InlineData("1 1 UDP 1 203.0.113.141 -1 typ host", IceCandidateParseError.BadPort)]
    [InlineData("1 1 UDP 1 203.0.113.141 8998 type host", IceCandidateParseError.BadType)]
    [InlineData("1 1 UDP 1 203.0.113.141 8998 typ wormhole", IceCandidateParseError.UnknownType)]
    [InlineData("1 1 UDP 1 203.0.113.141 8998 typ srflx raddr 10.0.0.1", IceCandidateParseError.BadRelatedAddress)]
    [InlineData("1 1 UDP 1 203.0.113.141 8998 typ srflx rport 1", IceCandidateParseError.BadRelatedAddress)]
    [InlineData("1 1 UDP 1 203.0.113.141 8998 typ srflx raddr 10.0.0.1 rport 1 raddr 10.0.0.2", IceCandidateParseError.BadRelatedAddress)]
    [InlineData("1 1 UDP 1 203.0.113.141 8998 typ host generation", IceCandidateParseError.BadExtension)]
    public void Names_what_is_wrong(string value, IceCandidateParseError expected)
    {
        Assert.False(IceCandidate.TryParse(value, out IceCandidate? c, out IceCandidateParseError error));
        Assert.Null(c);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Bounds_what_a_hostile_sdp_can_make_it_hold()
    {
        string manyExtensions = "1 1 UDP 1 203.0.113.141 8998 typ host" + string.Concat(Enumerable.Repeat(" x y", IceCandidate.MaxExtensions + 1));
        Assert.False(IceCandidate.TryParse(manyExtensions, out _, out IceCandidateParseError tooMany));
        Assert.Equal(IceCandidateParseError.TooLong, tooMany);

        Assert.False(IceCandidate.TryParse(new string('1', IceCandidate.MaxLength + 1), out _, out IceCandidateParseError tooLong));
        Assert.Equal(IceCandidateParseError.TooLong, tooLong);
    }
}
