using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Intercom.Media.Turn;

namespace Intercom.Interop.Tests.Turn;

/// <summary>
/// Issue #19's TURN client to coturn over TCP and over TLS (RFC 8656 §3.1: only the client–server leg; the relayed leg
/// is UDP): STUN and ChannelData framed on the stream, ChannelData padded to 4 bytes, the server's certificate checked
/// against a configured name and a root trusted only by the test, and the allocation lost with its connection.
/// </summary>
public sealed class CoturnStreamTurnTests
{
    [Fact]
    public async Task Over_tcp_data_flows_both_ways_as_indications_and_padded_channel_data_and_a_closed_connection_loses_the_allocation()
    {
        var coturn = await CoturnRelay.StartAsync();
        try
        {
            using var peers = new TurnPeer();
            TurnAllocation allocation = await TurnAllocation.ConnectTcpAsync(coturn.EndPoint,
                new TurnCredentials(CoturnRelay.Username, CoturnRelay.Password), peers,
                new TurnAllocationOptions { AutoBindChannels = false, AutoCreatePermissions = false }).WaitAsync(TurnPeer.Wait);
            await using (allocation)
            {
                Assert.Equal(TurnTransport.Tcp, allocation.Transport);
                await ExchangeAsync(allocation, peers);

                // coturn goes away: the connection closes, and with it the allocation (§3.1); no reconnection is tried.
                var lost = new TaskCompletionSource<TurnException>(TaskCreationOptions.RunContinuationsAsynchronously);
                allocation.Lost += (_, e) => lost.TrySetResult(e);
                await coturn.DisposeAsync();
                TurnException reason = await lost.Task.WaitAsync(TurnPeer.Wait);
                Assert.Contains("over Tcp", reason.Message, StringComparison.Ordinal);
                Assert.Contains("the allocation ended with the connection", reason.Message, StringComparison.Ordinal);
                Assert.Equal(TurnAllocationState.Failed, allocation.State);
            }
        }
        finally
        {
            await coturn.DisposeAsync();
        }
    }

    [Fact]
    public async Task Over_tls_with_the_servers_name_and_a_root_trusted_only_here_data_flows_both_ways()
    {
        using var certificate = SelfSigned.Create("turn.test");
        await using var coturn = await CoturnRelay.StartAsync(certificate.CertificateFile, certificate.KeyFile);
        using var peers = new TurnPeer();

        await using TurnAllocation allocation = await TurnAllocation.ConnectTlsAsync(coturn.TlsEndPoint,
            new TurnTlsOptions("turn.test", [certificate.Certificate]), new TurnCredentials(CoturnRelay.Username, CoturnRelay.Password), peers,
            new TurnAllocationOptions { AutoBindChannels = false, AutoCreatePermissions = false }).WaitAsync(TurnPeer.Wait);

        Assert.Equal(TurnTransport.Tls, allocation.Transport);
        await ExchangeAsync(allocation, peers);
    }

    [Theory]
    [InlineData("other.test", true)] // the right root, the wrong name
    [InlineData("turn.test", false)] // the right name, a root the system does not trust
    public async Task Over_tls_a_certificate_for_another_name_or_from_an_untrusted_root_is_refused(string name, bool trustTheRoot)
    {
        using var certificate = SelfSigned.Create("turn.test");
        await using var coturn = await CoturnRelay.StartAsync(certificate.CertificateFile, certificate.KeyFile);
        using var peers = new TurnPeer();

        TurnException e = await Assert.ThrowsAsync<TurnException>(() => TurnAllocation.ConnectTlsAsync(coturn.TlsEndPoint,
            new TurnTlsOptions(name, trustTheRoot ? [certificate.Certificate] : null), new TurnCredentials(CoturnRelay.Username, CoturnRelay.Password),
            peers).WaitAsync(TurnPeer.Wait));

        Assert.Contains($"TURN server {coturn.TlsEndPoint} over TLS: the server's certificate is not valid for '{name}' or not trusted", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Permission, then a Data indication and a Send indication; ChannelBind, then ChannelData both ways (odd lengths: padded on the stream).</summary>
    private static async Task ExchangeAsync(TurnAllocation allocation, TurnPeer peers)
    {
        await allocation.AllocateAsync().WaitAsync(TurnPeer.Wait);
        Assert.Equal(IPAddress.Loopback, allocation.RelayedAddress.Address);
        await allocation.CreatePermissionAsync(peers.RemoteEndPoint.Address).WaitAsync(TurnPeer.Wait);

        peers.Remote.SendTo("peer to station"u8, allocation.RelayedAddress);
        (IPEndPoint from, byte[] payload, _) = await peers.NextAsync();
        Assert.Equal(peers.RemoteEndPoint, from);
        Assert.Equal("peer to station", Encoding.ASCII.GetString(payload));
        allocation.Send(peers.RemoteEndPoint, "station to peer"u8);
        (byte[] data, IPEndPoint source) = peers.RemoteReceive();
        Assert.Equal("station to peer", Encoding.ASCII.GetString(data));
        Assert.Equal(allocation.RelayedAddress, source);

        await allocation.BindChannelAsync(peers.RemoteEndPoint).WaitAsync(TurnPeer.Wait);
        peers.Remote.SendTo("abcde"u8, allocation.RelayedAddress);
        peers.Remote.SendTo("fghijkl"u8, allocation.RelayedAddress);
        Assert.Equal("abcde", Encoding.ASCII.GetString((await peers.NextAsync()).Payload));
        Assert.Equal("fghijkl", Encoding.ASCII.GetString((await peers.NextAsync()).Payload));
        allocation.Send(peers.RemoteEndPoint, "xyz"u8);
        allocation.Send(peers.RemoteEndPoint, "uvwxy"u8);
        Assert.Equal("xyz", Encoding.ASCII.GetString(peers.RemoteReceive().Data));
        Assert.Equal("uvwxy", Encoding.ASCII.GetString(peers.RemoteReceive().Data));
        Assert.Equal(2, allocation.ChannelDataSent);
        Assert.Equal(1, allocation.IndicationsSent);
        await allocation.RefreshAsync().WaitAsync(TurnPeer.Wait);
    }
}
