using System.Text;
using Intercom.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Sip.Tests.Transport;

/// <summary>Recognising a response to one of our own client transactions by its top Via branch, before parsing.</summary>
public sealed class SipClientBranchesTests
{
    private const string Ours = "z9hG4bK0123456789abcdef";

    private static byte[] Response(string via) => Encoding.ASCII.GetBytes(
        "SIP/2.0 200 OK\r\n" + via + "\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n");

    [Theory]
    [InlineData("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" + Ours + ";rport=5060")]
    [InlineData("v: SIP/2.0/UDP 192.0.2.1;rport;branch=" + Ours)]
    [InlineData("VIA : SIP/2.0/UDP 192.0.2.1 ; received=192.0.2.1 ; BRANCH = " + Ours + " ;rport")]
    [InlineData("Via: SIP/2.0/UDP 192.0.2.1;branch=" + Ours + ", SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKother")]
    public void The_top_branch_is_found_in_any_spelling(string via)
    {
        Assert.True(SipClientBranches.TryFindTopViaBranch(Response(via), out var branch));
        Assert.Equal(Ours, Encoding.ASCII.GetString(branch));
    }

    [Theory]
    [InlineData("Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKother, SIP/2.0/UDP 192.0.2.1;branch=" + Ours)]
    [InlineData("X-Via: SIP/2.0/UDP 192.0.2.1;branch=" + Ours)]
    [InlineData("Via: SIP/2.0/UDP 192.0.2.1;xbranch=" + Ours)]
    public void Only_the_first_Via_value_counts(string via)
    {
        var branches = new SipClientBranches(new FakeTimeProvider());
        branches.Record(Ours);
        Assert.False(branches.Matches(Response(via)));
    }

    [Fact]
    public void A_branch_matches_while_recent_and_only_if_recorded()
    {
        var time = new FakeTimeProvider();
        var branches = new SipClientBranches(time);
        var response = Response("Via: SIP/2.0/UDP 192.0.2.1;branch=" + Ours);
        Assert.False(branches.Matches(response));

        branches.Record(Ours);
        Assert.True(branches.Matches(response));
        Assert.False(branches.Matches(Response("Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK0123456789abcdee")));

        time.Advance(SipClientBranches.Lifetime + TimeSpan.FromSeconds(1));
        Assert.False(branches.Matches(response));
    }

    [Fact]
    public void The_ring_keeps_the_last_branches_and_a_retransmission_takes_no_second_slot()
    {
        var branches = new SipClientBranches(new FakeTimeProvider());
        branches.Record(Ours);
        for (var i = 0; i < SipClientBranches.Capacity - 1; i++)
        {
            branches.Record("z9hG4bKfill" + i);
            branches.Record("z9hG4bKfill" + i);
        }

        Assert.True(branches.Matches(Response("Via: SIP/2.0/UDP 192.0.2.1;branch=" + Ours)));
        branches.Record("z9hG4bKone-more");
        Assert.False(branches.Matches(Response("Via: SIP/2.0/UDP 192.0.2.1;branch=" + Ours)));
    }
}
