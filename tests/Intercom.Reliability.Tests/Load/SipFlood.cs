using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Intercom.Reliability.Tests.Load;

/// <summary>
/// Our SIP load generator (there is no sipp here): UDP datagrams of one <see cref="FloodKind"/> sent to one target as fast
/// as one thread can, from one or more source addresses of 127.0.0.0/8 (each source its own socket, so a per-source
/// limiter sees them apart), every message a new transaction (Call-ID and branch carry a counter written in place, so the
/// send loop allocates nothing). A receive thread per socket counts the answers by status code.
/// </summary>
public sealed class SipFlood : IDisposable
{
    private const string Counter = "CCCCCCCC";
    private readonly IPEndPoint _target;
    private readonly FloodKind _kind;
    private readonly Socket[] _sockets;
    private readonly ConcurrentDictionary<int, long> _byStatus = new();
    private readonly List<Thread> _receivers = [];
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(500);
    private volatile bool _stopping;
    private volatile bool _sendingDone;

    /// <param name="target">The station's UDP listener.</param>
    /// <param name="kind">What to send.</param>
    /// <param name="firstSource">First source address; further sources count up from it.</param>
    /// <param name="sources">Number of source addresses (sockets), used round-robin.</param>
    public SipFlood(IPEndPoint target, FloodKind kind, IPAddress firstSource, int sources = 1)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(firstSource);
        _target = target;
        _kind = kind;
        _sockets = new Socket[sources];
        var first = firstSource.GetAddressBytes();
        for (var i = 0; i < sources; i++)
        {
            var address = (byte[])first.Clone();
            var n = address[3] + i;
            address[2] = (byte)(address[2] + (n / 256));
            address[3] = (byte)(n % 256);
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            {
                ReceiveBufferSize = 1 << 20,
                ReceiveTimeout = (int)QuietPeriod.TotalMilliseconds,
            };
            socket.Bind(new IPEndPoint(new IPAddress(address), 0));
            _sockets[i] = socket;
        }
    }

    /// <summary>Sends for <paramref name="duration"/> on the calling thread, then collects late answers for a moment.</summary>
    public FloodResult Run(TimeSpan duration)
    {
        foreach (var socket in _sockets)
        {
            var thread = new Thread(() => Receive(socket)) { IsBackground = true, Name = "flood-rx" };
            thread.Start();
            _receivers.Add(thread);
        }

        var templates = Templates(_kind).Select(t => Prepare(t)).ToArray();
        var sent = 0L;
        var watch = Stopwatch.StartNew();
        var end = duration.Ticks;
        var socketIndex = 0;
        while (watch.Elapsed.Ticks < end)
        {
            // Check the clock every 64 sends only: the loop is the generator's own hot path.
            for (var burst = 0; burst < 64; burst++)
            {
                var (bytes, slots) = templates[sent % templates.Length];
                WriteCounter(bytes, slots, (uint)sent);
                try
                {
                    _sockets[socketIndex].SendTo(bytes, SocketFlags.None, _target);
                }
                catch (SocketException)
                {
                    // ENOBUFS/ECONNREFUSED (ICMP from a previous send): keep going, it is a flood.
                }

                sent++;
                socketIndex = socketIndex + 1 == _sockets.Length ? 0 : socketIndex + 1;
            }
        }

        var elapsed = watch.Elapsed;

        // Answers still in flight (and the station's retransmissions of the last ones) are collected until each socket
        // has been quiet for QuietPeriod: the receivers end themselves then.
        _sendingDone = true;
        foreach (var thread in _receivers)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        _stopping = true;
        foreach (var socket in _sockets)
        {
            socket.Close();
        }

        foreach (var thread in _receivers)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        return new FloodResult(_kind, _sockets.Length, sent, elapsed, new Dictionary<int, long>(_byStatus));
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    private void Receive(Socket socket)
    {
        var buffer = new byte[65536];
        while (!_stopping)
        {
            int n;
            try
            {
                n = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                // Quiet for QuietPeriod: once sending is over, everything the station will answer has arrived.
                if (_sendingDone || _stopping)
                {
                    return;
                }

                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                {
                    return;
                }

                continue;
            }

            // "SIP/2.0 503 ..." → 503; anything else counts as 0.
            var status = n >= 11 && buffer.AsSpan(0, 8).SequenceEqual("SIP/2.0 "u8)
                ? ((buffer[8] - '0') * 100) + ((buffer[9] - '0') * 10) + (buffer[10] - '0')
                : 0;
            _byStatus.AddOrUpdate(status, 1, static (_, v) => v + 1);
        }
    }

    private static (byte[] Bytes, int[] Slots) Prepare(string template)
    {
        var text = template.ReplaceLineEndings("\r\n");
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        text = text.Replace("LLL", (text.Length - headerEnd - 4).ToString("000", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var bytes = Encoding.ASCII.GetBytes(text);
        var slots = new List<int>();
        var counter = Encoding.ASCII.GetBytes(Counter);
        for (var at = bytes.AsSpan().IndexOf(counter); at >= 0;)
        {
            slots.Add(at);
            var next = bytes.AsSpan(at + 1).IndexOf(counter);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return (bytes, slots.ToArray());
    }

    private static void WriteCounter(byte[] bytes, int[] slots, uint value)
    {
        foreach (var slot in slots)
        {
            for (var i = 0; i < 8; i++)
            {
                bytes[slot + i] = (byte)"0123456789abcdef"[(int)((value >> (28 - (4 * i))) & 0xF)];
            }
        }
    }

    private static string[] Templates(FloodKind kind) => kind switch
    {
        FloodKind.Options =>
        [
            """
            OPTIONS sip:door@127.0.0.1 SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKCCCCCCCC;rport
            Max-Forwards: 70
            From: <sip:flood@127.0.0.1>;tag=CCCCCCCC
            To: <sip:door@127.0.0.1>
            Call-ID: CCCCCCCC@flood
            CSeq: 1 OPTIONS
            Content-Length: 0


            """,
        ],
        FloodKind.RegisterJunk =>
        [
            // No Call-ID.
            """
            REGISTER sip:127.0.0.1 SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKCCCCCCCC;rport
            From: <sip:100@127.0.0.1>;tag=CCCCCCCC
            To: <sip:100@127.0.0.1>
            CSeq: 1 REGISTER
            Contact: <sip:100@127.0.0.1:5099>
            Content-Length: 0


            """,
            // CSeq method mismatch and a Content-Length beyond the datagram.
            """
            REGISTER sip:127.0.0.1 SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKCCCCCCCC;rport
            From: <sip:101@127.0.0.1>;tag=CCCCCCCC
            To: <sip:101@127.0.0.1>
            Call-ID: CCCCCCCC@junk
            CSeq: 7 INVITE
            Contact: *
            Expires: -1
            Content-Length: 9999

            x
            """,
            // Garbled header lines.
            """
            REGISTER sip:127.0.0.1 SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:5099;;;branch=z9hG4bKCCCCCCCC
            From: <<<sip:102@127.0.0.1>;tag=CCCCCCCC
            To sip:102
            Call-ID: CCCCCCCC@junk
            CSeq: 99999999999999999999 REGISTER
            Authorization: Digest username="102", realm="x", nonce="CCCCCCCC", uri="sip:127.0.0.1", response="00"
            Content-Length: 0


            """,
        ],
        _ =>
        [
            """
            INVITE sip:door@127.0.0.1 SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKCCCCCCCC;rport
            Max-Forwards: 70
            From: "Mallory" <sip:mallory@127.0.0.1>;tag=CCCCCCCC
            To: <sip:door@127.0.0.1>
            Call-ID: CCCCCCCC@flood
            CSeq: 1 INVITE
            Contact: <sip:mallory@127.0.0.1:5099>
            Content-Type: application/sdp
            Content-Length: LLL

            v=0
            o=- 1 1 IN IP4 127.0.0.1
            s=-
            c=IN IP4 127.0.0.1
            t=0 0
            m=audio 4000 RTP/AVP 0 101
            a=rtpmap:101 telephone-event/8000

            """,
        ],
    };
}
