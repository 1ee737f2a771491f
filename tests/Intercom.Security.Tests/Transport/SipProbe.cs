using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Intercom.Security.Tests.Transport;

/// <summary>
/// The smallest SIP peer: an OPTIONS over UDP or TCP from a chosen loopback address (Linux routes all of 127/8 to lo,
/// so each test "host" is an address of its own), and raw TCP connections that an attacker holds, floods or abandons.
/// </summary>
public static partial class SipProbe
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    /// <summary>An OPTIONS request from <paramref name="local"/> over <paramref name="transport"/> ("UDP", "TCP").</summary>
    public static byte[] Options(IPEndPoint local, string transport)
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        return Encoding.ASCII.GetBytes(
            $"OPTIONS sip:door@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/{transport} {local};branch=z9hG4bK{tag};rport\r\n" +
            $"Max-Forwards: 70\r\nFrom: <sip:probe@{local.Address}>;tag={tag}\r\nTo: <sip:door@127.0.0.1>\r\n" +
            $"Call-ID: {tag}@probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
    }

    /// <summary>The status of the station's answer to one OPTIONS over UDP from <paramref name="source"/>; null: none within <see cref="Wait"/>.</summary>
    public static async Task<int?> OptionsOverUdpAsync(IPAddress source, IPEndPoint station)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.SendToAsync(Options((IPEndPoint)socket.LocalEndPoint!, "UDP"), station);
        var buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, timeout.Token);
                if (Status(Encoding.ASCII.GetString(buffer, 0, received)) is int status && status >= 200)
                {
                    return status;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The status of the answer to one OPTIONS over a new TCP connection from <paramref name="source"/>; null: none.</summary>
    public static async Task<int?> OptionsOverTcpAsync(IPAddress source, IPEndPoint station)
    {
        using var socket = Connect(source, station);
        return await OptionsOnAsync(socket);
    }

    /// <summary>The status of the answer to one OPTIONS on an open connection; null: none, or the connection closed.</summary>
    public static async Task<int?> OptionsOnAsync(Socket socket)
    {
        try
        {
            await socket.SendAsync(Options((IPEndPoint)socket.LocalEndPoint!, "TCP"));
            var text = new StringBuilder();
            var buffer = new byte[65536];
            using var timeout = new CancellationTokenSource(Wait);
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, timeout.Token);
                if (received == 0)
                {
                    return null;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, received));
                foreach (Match match in StatusLine().Matches(text.ToString()))
                {
                    var status = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (status >= 200)
                    {
                        return status;
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>A TCP connection from <paramref name="source"/> (any port) to the station.</summary>
    public static Socket Connect(IPAddress source, IPEndPoint station, int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (receiveBuffer is int size)
            {
                // Before connecting, so the window the station sees is small from the start.
                socket.ReceiveBufferSize = size;
            }

            socket.Bind(new IPEndPoint(source, 0));
            socket.Connect(station);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// True when the station closes <paramref name="socket"/> (end of stream or reset) within <paramref name="within"/>;
    /// whatever it sent before is read and discarded.
    /// </summary>
    public static async Task<bool> ClosedByStationAsync(Socket socket, TimeSpan within)
    {
        var buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static int? Status(string text) => StatusLine().Match(text) is { Success: true } m
        ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
        : null;

    [GeneratedRegex(@"^SIP/2\.0 (\d{3}) ", RegexOptions.Multiline)]
    private static partial Regex StatusLine();
}
