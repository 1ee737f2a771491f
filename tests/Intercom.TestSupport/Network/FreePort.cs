using System.Net;
using System.Net.Sockets;

namespace Intercom.TestSupport;

/// <summary>Ports for peers on loopback: free for both UDP and TCP at the moment of asking.</summary>
public static class FreePort
{
    public static int Next(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(address, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP: try another.
            }
        }

        throw new InvalidOperationException("no free port pair on loopback");
    }
}
