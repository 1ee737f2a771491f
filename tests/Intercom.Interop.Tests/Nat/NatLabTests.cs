using System.Net;
using System.Net.Sockets;
using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// The lab's routers behave as their <see cref="NatBehaviour"/> says, seen from the sockets themselves (no station):
/// the mapping coturn reports for a socket behind router A against the source address another host on the internet
/// sees from the same socket, and which packets from outside get in (with the phone behind router B too).
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class NatLabTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-natlab-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Endpoint_independent_router_keeps_the_port_for_every_destination_and_lets_in_only_replies()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent);
        using var station = Bound(lab.Station, lab.StationAddress);
        var mapped = await StunBindingProbe.MappedAddressAsync(station, lab.Stun.EndPoint, Wait)
            ?? throw new TimeoutException("coturn did not answer the STUN Binding request from behind router A");
        var local = (IPEndPoint)station.LocalEndPoint!;
        Assert.Equal(NatLab.StationRouterAddress, mapped.Address.ToString());
        Assert.Equal(local.Port, mapped.Port);

        // A second destination sees the very same public address and port (RFC 4787 §4.1: endpoint-independent).
        using var elsewhere = Bound(lab.Phone, lab.PhoneAddress);
        var seen = await SendAndReceiveAsync(station, elsewhere, lab.PhoneAddress);
        Assert.Equal(mapped, seen);

        // Filtering (RFC 4787 §5): from a port the station never sent to, nothing reaches it; from the one it did, it does.
        using var stranger = Bound(lab.Phone, lab.PhoneAddress);
        await stranger.SendToAsync("unsolicited"u8.ToArray(), mapped);
        await elsewhere.SendToAsync("reply"u8.ToArray(), mapped);
        var (payload, from) = await ReceiveAsync(station);
        Assert.Equal("reply", payload);
        Assert.Equal(elsewhere.LocalEndPoint, from);
    }

    [Fact]
    public async Task Symmetric_router_gives_each_destination_its_own_port()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.Symmetric);
        using var station = Bound(lab.Station, lab.StationAddress);
        var mapped = await StunBindingProbe.MappedAddressAsync(station, lab.Stun.EndPoint, Wait)
            ?? throw new TimeoutException("coturn did not answer the STUN Binding request from behind router A");
        Assert.Equal(NatLab.StationRouterAddress, mapped.Address.ToString());

        using var elsewhere = Bound(lab.Phone, lab.PhoneAddress);
        var seen = await SendAndReceiveAsync(station, elsewhere, lab.PhoneAddress);
        Assert.Equal(mapped.Address, seen.Address);
        Assert.NotEqual(mapped.Port, seen.Port);

        // What the phone would do with the STUN answer: send to it. The router has no such mapping for the phone.
        using var stranger = Bound(lab.Phone, lab.PhoneAddress);
        await stranger.SendToAsync("to the stun mapping"u8.ToArray(), mapped);
        await elsewhere.SendToAsync("to the phone's own mapping"u8.ToArray(), seen);
        var (payload, _) = await ReceiveAsync(station);
        Assert.Equal("to the phone's own mapping", payload);
    }

    [Fact]
    public async Task Behind_two_endpoint_independent_routers_each_side_reaches_the_other_at_its_stun_mapping()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent, phoneNat: NatBehaviour.EndpointIndependent);
        using var station = Bound(lab.Station, lab.StationAddress);
        using var phone = Bound(lab.Phone, lab.PhoneAddress);
        var stationMapped = await StunBindingProbe.MappedAddressAsync(station, lab.Stun.EndPoint, Wait)
            ?? throw new TimeoutException("coturn did not answer the STUN Binding request from behind router A");
        var phoneMapped = await StunBindingProbe.MappedAddressAsync(phone, lab.Stun.EndPoint, Wait)
            ?? throw new TimeoutException("coturn did not answer the STUN Binding request from behind router B");
        Assert.Equal(NatLab.PhoneRouterAddress, phoneMapped.Address.ToString());

        // Hole punching, as ICE's checks do it (RFC 8445 §2.2): each side sends to the other's mapping until it hears
        // from it. The first datagrams may meet a router with no mapping for them yet and be dropped; once both have
        // sent, both routers let the other in, from exactly the address STUN reported.
        var stationHeard = ReceiveAsync(station);
        var phoneHeard = ReceiveAsync(phone);
        while (!stationHeard.IsCompleted || !phoneHeard.IsCompleted)
        {
            await station.SendToAsync("from the station"u8.ToArray(), phoneMapped);
            await phone.SendToAsync("from the phone"u8.ToArray(), stationMapped);
            await Task.WhenAny(Task.WhenAll(stationHeard, phoneHeard), Task.Delay(50));
        }

        Assert.Equal(("from the phone", phoneMapped), await stationHeard);
        Assert.Equal(("from the station", stationMapped), await phoneHeard);
    }

    private static Socket Bound(NetworkNamespace networkNamespace, string address)
    {
        var socket = networkNamespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return socket;
    }

    /// <summary>Sends from <paramref name="from"/> to <paramref name="to"/> and returns the source address <paramref name="to"/> saw.</summary>
    private static async Task<IPEndPoint> SendAndReceiveAsync(Socket from, Socket to, string toAddress)
    {
        var port = ((IPEndPoint)to.LocalEndPoint!).Port;
        await from.SendToAsync("hello"u8.ToArray(), new IPEndPoint(IPAddress.Parse(toAddress), port));
        var (_, source) = await ReceiveAsync(to);
        return source;
    }

    private static async Task<(string Payload, IPEndPoint From)> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[1500];
        using var cts = new CancellationTokenSource(Wait);
        try
        {
            var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return (System.Text.Encoding.ASCII.GetString(buffer, 0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no datagram reached {socket.LocalEndPoint} within {Wait.TotalSeconds} s");
        }
    }
}
