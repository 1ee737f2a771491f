using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Intercom.Interop.Tests.Peers;

namespace Intercom.Security.Tests.Accounts;

/// <summary>
/// What crosses the loopback interface, as an eavesdropper on the network would see it: tshark captures on `lo` with a
/// capture filter (the station's and the registrar's ports) into a pcap file, as a child process of the test stopped by
/// its PID; the packets are then read back raw, so a test can look for plaintext in any of them.
/// </summary>
internal sealed class LoopbackCapture : IAsyncDisposable
{
    private readonly PeerProcess _tshark;
    private readonly string _file;
    private List<byte[]>? _packets;

    private LoopbackCapture(PeerProcess tshark, string file)
    {
        _tshark = tshark;
        _file = file;
    }

    /// <summary>Starts capturing what <paramref name="filter"/> (pcap syntax) selects on lo; returns once tshark captures.</summary>
    public static async Task<LoopbackCapture> StartAsync(string directory, string filter)
    {
        var file = Path.Combine(directory, "lo.pcap");
        // -P -l: a summary line per packet as it is written to the file, so a marker sent through the capture tells
        // when everything before it is in the file (libpcap hands packets over in blocks, up to a second late).
        var tshark = PeerProcess.Start("tshark", ["-i", "lo", "-f", filter, "-w", file, "-F", "pcap", "-P", "-l"], directory);
        await tshark.WaitForLineAsync("Capturing on", TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        return new LoopbackCapture(tshark, file);
    }

    /// <summary>
    /// Sends a plaintext OPTIONS for sip:<paramref name="name"/>@ to the UDP port <paramref name="port"/> on 127.0.0.1
    /// (a port the filter selects), again until tshark shows it: then the capture runs and holds all that came before.
    /// </summary>
    public async Task MarkAsync(int port, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        using var socket = new System.Net.Sockets.UdpClient(System.Net.Sockets.AddressFamily.InterNetwork);
        for (var attempt = 1; ; attempt++)
        {
            var options = Encoding.ASCII.GetBytes(
                $"OPTIONS sip:{name}@127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK{name}{attempt}\r\nMax-Forwards: 70\r\n" +
                $"From: <sip:{name}@127.0.0.1>;tag={attempt}\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: {name}-{attempt}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
            await socket.SendAsync(options, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port)).ConfigureAwait(false);
            try
            {
                await _tshark.WaitForLineAsync($"OPTIONS sip:{System.Text.RegularExpressions.Regex.Escape(name)}@", TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                // Sent before dumpcap opened the interface: send it again.
            }
        }
    }

    /// <summary>Stops tshark (SIGTERM by PID: it closes the file) and reads every captured packet, link header included.</summary>
    public async Task<IReadOnlyList<byte[]>> StopAsync()
    {
        if (_packets is not null)
        {
            return _packets;
        }

        await _tshark.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _packets = ReadPcap(await File.ReadAllBytesAsync(_file).ConfigureAwait(false));
        return _packets;
    }

    /// <summary>What tshark printed (its packet count at the end).</summary>
    public string Output => _tshark.Tail(20);

    /// <summary>How many captured packets contain <paramref name="text"/> (ASCII) anywhere.</summary>
    public static int CountContaining(IEnumerable<byte[]> packets, string text)
    {
        var needle = Encoding.ASCII.GetBytes(text);
        return packets.Count(p => p.AsSpan().IndexOf(needle) >= 0);
    }

    public async ValueTask DisposeAsync() => await _tshark.DisposeAsync().ConfigureAwait(false);

    /// <summary>The records of a classic pcap file (24-byte header, then a 16-byte header and the bytes per packet).</summary>
    private static List<byte[]> ReadPcap(byte[] data)
    {
        if (data.Length < 24)
        {
            throw new InvalidDataException($"the capture file has {data.Length} bytes, not even a pcap header");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var little = magic is 0xa1b2c3d4 or 0xa1b23c4d;
        if (!little && BinaryPrimitives.ReadUInt32BigEndian(data) is not (0xa1b2c3d4 or 0xa1b23c4d))
        {
            throw new InvalidDataException($"not a pcap file (magic {magic.ToString("x8", CultureInfo.InvariantCulture)})");
        }

        var packets = new List<byte[]>();
        var offset = 24;
        while (offset + 16 <= data.Length)
        {
            var lengthField = data.AsSpan(offset + 8, 4);
            var length = (int)(little ? BinaryPrimitives.ReadUInt32LittleEndian(lengthField) : BinaryPrimitives.ReadUInt32BigEndian(lengthField));
            offset += 16;
            if (length < 0 || offset + length > data.Length)
            {
                break; // a record cut short by the stop
            }

            packets.Add(data.AsSpan(offset, length).ToArray());
            offset += length;
        }

        return packets;
    }
}
