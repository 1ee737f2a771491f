using System.Net;
using Intercom.Media.Ice;

namespace Intercom.Media.Tests.Ice;

/// <summary>RFC 8839 §5.2's `a=remote-candidates`: read strictly, and only ever naming a candidate of ours.</summary>
public sealed class IceRemoteCandidateTests
{
    [Fact]
    public void Reads_one_entry_per_component()
    {
        IReadOnlyList<IceRemoteCandidate> entries = IceRemoteCandidate.ParseList("1 198.51.100.10 57512 2 198.51.100.10 57513");

        Assert.Equal(
            [new IceRemoteCandidate(1, IPAddress.Parse("198.51.100.10"), 57512), new IceRemoteCandidate(2, IPAddress.Parse("198.51.100.10"), 57513)],
            entries);
        Assert.Equal(IPAddress.Parse("2001:db8::7"), Assert.Single(IceRemoteCandidate.ParseList("1 2001:db8::7 9")).Address);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1 198.51.100.10")]                       // two fields, not three
    [InlineData("1 198.51.100.10 57512 2")]               // a dangling field
    [InlineData("0 198.51.100.10 57512")]                 // component 0
    [InlineData("257 198.51.100.10 57512")]               // component past 256
    [InlineData("1 door.example.com 57512")]              // §5.1: no FQDN
    [InlineData("1 1 57512")]                             // IPAddress.TryParse's shorthand, not a connection-address
    [InlineData("1 198.51.100.10 0")]
    [InlineData("1 198.51.100.10 65536")]
    [InlineData("1 198.51.100.10 -1")]
    [InlineData("x 198.51.100.10 57512")]
    [InlineData("1 1.1.1.1 1 1 1.1.1.1 1 1 1.1.1.1 1 1 1.1.1.1 1 1 1.1.1.1 1 1 1.1.1.1 1 1 1.1.1.1 1 1 1.1.1.1 1 1 1.1.1.1 1")] // nine entries
    public void A_malformed_attribute_is_as_if_absent(string? value) =>
        Assert.Empty(IceRemoteCandidate.ParseList(value));

    [Fact]
    public void The_rtp_entry_names_our_candidate_only_when_it_is_one_of_ours()
    {
        IceCandidate host = Candidate("192.168.1.10", 10320, IceCandidateType.Host);
        IceCandidate relay = Candidate("198.51.100.10", 57512, IceCandidateType.Relayed);
        IceCandidate[] ours = [host, relay];

        Assert.Same(relay, IceRemoteCandidate.NamedRtpCandidate(IceRemoteCandidate.ParseList("1 198.51.100.10 57512"), ours));
        Assert.Same(host, IceRemoteCandidate.NamedRtpCandidate(IceRemoteCandidate.ParseList("2 198.51.100.10 57512 1 192.168.1.10 10320"), ours));

        // re's form, every candidate of ours it knows, names no pair: nothing is taken from it.
        Assert.Null(IceRemoteCandidate.NamedRtpCandidate(IceRemoteCandidate.ParseList("1 192.168.1.10 10320 1 198.51.100.10 57512"), ours));

        // Our address on another port, another address on our port, and a component-2 entry alone name nothing of ours.
        Assert.Null(IceRemoteCandidate.NamedRtpCandidate(IceRemoteCandidate.ParseList("1 198.51.100.10 57513"), ours));
        Assert.Null(IceRemoteCandidate.NamedRtpCandidate(IceRemoteCandidate.ParseList("1 203.0.113.66 57512"), ours));
        Assert.Null(IceRemoteCandidate.NamedRtpCandidate(IceRemoteCandidate.ParseList("2 198.51.100.10 57512"), ours));
    }

    internal static IceCandidate Candidate(string address, int port, IceCandidateType type) => new()
    {
        Foundation = ((int)type + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ComponentId = 1,
        Transport = "UDP",
        Priority = IcePriority.OfCandidate(type, 65535, 1),
        ConnectionAddress = address,
        Address = IPAddress.Parse(address),
        Port = port,
        Type = type,
    };
}
