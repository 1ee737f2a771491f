using System.Net;
using Intercom.Media.Ice;
using Intercom.Media.Nat;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Media.Tests.Ice;

/// <summary>
/// An in-memory internet for ICE agents on a fake clock: hosts with public or private addresses, home routers that map
/// endpoint-independently and let in only what answers an inside host's own traffic (RFC 4787 address-and-port-dependent
/// filtering), a STUN server, and TURN-like relays. Datagrams queue and are delivered by <see cref="Pump"/>, which
/// <see cref="Run"/> calls after each step of the clock.
/// </summary>
internal sealed class IceTestNetwork
{
    public static readonly IPEndPoint StunServer = IPEndPoint.Parse("198.51.100.10:3478");

    private readonly Dictionary<IPEndPoint, Action<byte[], IPEndPoint>> _hosts = [];
    private readonly List<Router> _routers = [];
    private readonly Queue<(IPEndPoint From, IPEndPoint To, byte[] Data)> _inFlight = new();

    public IceTestNetwork()
    {
        Attach(StunServer, AnswerBinding);
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Datagrams delivered, by destination as sent (before any translation).</summary>
    public List<(IPEndPoint From, IPEndPoint To, byte[] Data)> Delivered { get; } = [];

    /// <summary>Drops everything a host sends or is sent from now on (a peer gone, a cable pulled).</summary>
    public HashSet<IPAddress> Unplugged { get; } = [];

    /// <summary>A host at <paramref name="address"/>; what it receives goes to <paramref name="receive"/> (source as it arrives).</summary>
    public void Attach(IPEndPoint address, Action<byte[], IPEndPoint> receive) => _hosts[address] = receive;

    /// <summary>A router with <paramref name="publicAddress"/> in front of the hosts of <paramref name="inside"/> (a /24 prefix, e.g. "192.168.1.").</summary>
    public Router AddRouter(IPAddress publicAddress, string inside)
    {
        var router = new Router(publicAddress, inside);
        _routers.Add(router);
        return router;
    }

    /// <summary>An agent's socket at <paramref name="local"/>: what it sends enters the network, what arrives goes to the agent.</summary>
    public Socket AddSocket(IPEndPoint local)
    {
        var socket = new Socket(this, local);
        Attach(local, (data, source) => socket.Receiver?.OnStunPacket(data, source));
        return socket;
    }

    public void Send(IPEndPoint from, IPEndPoint to, ReadOnlySpan<byte> data) => _inFlight.Enqueue((from, to, data.ToArray()));

    /// <summary>Delivers every queued datagram, and what their handling sends, until nothing is in flight.</summary>
    public void Pump()
    {
        int budget = 100_000;
        while (_inFlight.TryDequeue(out var item) && budget-- > 0)
        {
            Deliver(item.From, item.To, item.Data);
        }
    }

    /// <summary>Moves the clock on by <paramref name="total"/> in steps of <paramref name="step"/> (10 ms by default), delivering after each.</summary>
    public void Run(TimeSpan total, TimeSpan? step = null)
    {
        TimeSpan tick = step ?? TimeSpan.FromMilliseconds(10);
        Pump();
        for (TimeSpan done = TimeSpan.Zero; done < total; done += tick)
        {
            Time.Advance(tick);
            Pump();
        }
    }

    /// <summary>Runs until <paramref name="condition"/> holds or <paramref name="limit"/> passed; the time it took.</summary>
    public TimeSpan RunUntil(Func<bool> condition, TimeSpan limit)
    {
        TimeSpan tick = TimeSpan.FromMilliseconds(10);
        Pump();
        TimeSpan done = TimeSpan.Zero;
        while (!condition() && done < limit)
        {
            Time.Advance(tick);
            Pump();
            done += tick;
        }

        return done;
    }

    private void Deliver(IPEndPoint from, IPEndPoint to, byte[] data)
    {
        if (Unplugged.Contains(from.Address) || Unplugged.Contains(to.Address))
        {
            return;
        }

        Router? fromRouter = _routers.Find(r => r.IsInside(from.Address));
        Router? toRouter = _routers.Find(r => r.IsInside(to.Address));
        IPEndPoint source = from;
        IPEndPoint destination = to;
        if (toRouter is not null)
        {
            // A private address behind a router is reachable from its own LAN only (RFC 1918 §3).
            if (!ReferenceEquals(fromRouter, toRouter))
            {
                return;
            }
        }
        else
        {
            // Out through the sender's router: the source becomes its mapping.
            source = fromRouter?.Outbound(from, to) ?? from;

            // In through the receiver's router: only replies to what an inside host sent get through.
            Router? publicRouter = _routers.Find(r => r.Public.Equals(to.Address));
            if (publicRouter is not null)
            {
                if (publicRouter.Inbound(to.Port, source) is not { } inside)
                {
                    return;
                }

                destination = inside;
            }
        }

        if (Unplugged.Contains(source.Address))
        {
            return;
        }

        if (_hosts.TryGetValue(destination, out Action<byte[], IPEndPoint>? receive))
        {
            Delivered.Add((source, destination, data));
            receive(data, source);
        }
    }

    private void AnswerBinding(byte[] data, IPEndPoint source)
    {
        if (!StunMessage.TryParse(data, out StunMessage request, out _) || request.Class != StunMessageClass.Request)
        {
            return;
        }

        var response = new byte[128];
        var writer = new StunMessageWriter(response, StunMethod.Binding, StunMessageClass.SuccessResponse, request.TransactionId);
        writer.AddXorMappedAddress(source);
        writer.AddFingerprint();
        Send(StunServer, source, response.AsSpan(0, writer.Complete()));
    }

    /// <summary>An agent's UDP socket in the network.</summary>
    internal sealed class Socket(IceTestNetwork network, IPEndPoint local) : IStunTransport
    {
        public IPEndPoint Local { get; } = local;

        public IStunPacketReceiver? Receiver { get; set; }

        public int Sent { get; private set; }

        public bool SendStun(ReadOnlySpan<byte> datagram, IPEndPoint destination)
        {
            Sent++;
            network.Send(Local, destination, datagram);
            return true;
        }
    }

    /// <summary>
    /// A home router: endpoint-independent mapping (an inside endpoint keeps one public port for every destination,
    /// RFC 4787 §4.1) with address-and-port-dependent filtering (§5: in only from where that inside endpoint sent).
    /// </summary>
    internal sealed class Router(IPAddress publicAddress, string inside)
    {
        private readonly Dictionary<IPEndPoint, int> _ports = [];
        private readonly Dictionary<int, (IPEndPoint Inside, HashSet<IPEndPoint> Contacted)> _mappings = [];
        private int _nextPort = 40000;

        public IPAddress Public { get; } = publicAddress;

        public int Dropped { get; private set; }

        public bool IsInside(IPAddress address) => address.ToString().StartsWith(inside, StringComparison.Ordinal);

        public IPEndPoint Outbound(IPEndPoint from, IPEndPoint to)
        {
            if (!_ports.TryGetValue(from, out int port))
            {
                port = _nextPort++;
                _ports[from] = port;
                _mappings[port] = (from, []);
            }

            _mappings[port].Contacted.Add(to);
            return new IPEndPoint(Public, port);
        }

        public IPEndPoint? Inbound(int port, IPEndPoint source)
        {
            if (_mappings.TryGetValue(port, out var mapping) && mapping.Contacted.Contains(source))
            {
                return mapping.Inside;
            }

            Dropped++;
            return null;
        }
    }
}
