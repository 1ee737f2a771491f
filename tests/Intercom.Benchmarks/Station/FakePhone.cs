using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Intercom.Audio;

namespace Intercom.Benchmarks.Station;

/// <summary>
/// The resident's phone for <see cref="StationProbe"/>: a minimal SIP UAS on loopback that notes when each INVITE
/// arrives (before parsing it), answers busy (486) or with an SDP answer (PCMU + telephone-event), answers BYE, and sends
/// RTP to the station: RFC 4733 digits packet by packet, and a 20 ms PCMU stream from its own thread. The RTP paths
/// allocate nothing, so the probe's GC figures are the station's.
/// </summary>
public sealed partial class FakePhone : IDisposable
{
    private const int TelephoneEventClock = 8000;
    private readonly Socket _sip = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _rtp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Thread _sipThread;
    private readonly Thread _rtpDrain;
    private readonly SemaphoreSlim _invites = new(0);
    private readonly byte[] _eventPacket = new byte[12 + 4];
    private readonly byte[] _audioPacket = new byte[12 + 160];
    private readonly uint _ssrc = 0x5EED_0001;
    private volatile bool _stopped;
    private Thread? _audioThread;
    private ClockPacer? _audioPacer;
    private SocketAddress? _stationRtp;
    private int _eventPayloadType = 101;
    private ushort _sequence;
    private uint _timestamp = 1000;
    private long _lastInviteAt;
    private string? _lastCallId;

    public FakePhone()
    {
        _sip.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sipThread = new Thread(SipLoop) { IsBackground = true, Name = "phone-sip" };
        _rtpDrain = new Thread(DrainRtp) { IsBackground = true, Name = "phone-rtp-in" };
        _sipThread.Start();
        _rtpDrain.Start();
    }

    /// <summary>True: INVITEs are answered 200 with SDP; false: 486 Busy Here.</summary>
    public bool Answer { get; set; }

    public int SipPort => ((IPEndPoint)_sip.LocalEndPoint!).Port;

    /// <summary>Bytes this phone's RTP threads have allocated so far, to tell them apart from the station's.</summary>
    public long RtpThreadAllocatedBytes => Volatile.Read(ref _drainAllocated) + Volatile.Read(ref _audioAllocated);

    private long _drainAllocated;
    private long _audioAllocated;

    /// <summary>Waits for the next INVITE and returns the Stopwatch timestamp at which its datagram was received.</summary>
    public long WaitForInvite(TimeSpan timeout)
    {
        if (!_invites.Wait(timeout))
        {
            throw new TimeoutException("no INVITE reached the phone");
        }

        return Interlocked.Read(ref _lastInviteAt);
    }

    /// <summary>Sends a whole RFC 4733 event (start packet, then the end packet three times, §2.5.1.4).</summary>
    public void SendDigit(char digit)
    {
        SendEventStart(digit);
        SendEventEnd(digit);
    }

    /// <summary>Sends the first packet of a new event and returns the Stopwatch timestamp just before the send.</summary>
    public long SendEventStart(char digit)
    {
        _timestamp += TelephoneEventClock / 5;
        WriteEvent(digit, end: false, duration: 160, marker: true);
        long at = Stopwatch.GetTimestamp();
        _rtp.SendTo(_eventPacket, SocketFlags.None, _stationRtp ?? throw new InvalidOperationException("no call"));
        return at;
    }

    /// <summary>Sends the end packet of the current event three times (RFC 4733 §2.5.1.4 redundancy).</summary>
    public void SendEventEnd(char digit)
    {
        for (int i = 0; i < 3; i++)
        {
            WriteEvent(digit, end: true, duration: 800, marker: false);
            _rtp.SendTo(_eventPacket, SocketFlags.None, _stationRtp!);
        }
    }

    /// <summary>Starts a PCMU stream to the station, one 20 ms packet per period, from a dedicated thread.</summary>
    public void StartAudio()
    {
        _audioPacer = new ClockPacer(TimeProvider.System);
        _audioThread = new Thread(SendAudio) { IsBackground = true, Name = "phone-rtp-out" };
        _audioThread.Start();
    }

    public void StopAudio()
    {
        var thread = _audioThread;
        _audioThread = null;
        _audioPacer?.Cancel();
        thread?.Join(TimeSpan.FromSeconds(2));
        _audioPacer?.Dispose();
        _audioPacer = null;
    }

    public void Dispose()
    {
        _stopped = true;
        StopAudio();
        _sip.Dispose();
        _rtp.Dispose();
        _sipThread.Join(TimeSpan.FromSeconds(2));
        _rtpDrain.Join(TimeSpan.FromSeconds(2));
        _invites.Dispose();
    }

    private void WriteEvent(char digit, bool end, ushort duration, bool marker)
    {
        WriteHeader(_eventPacket, (byte)_eventPayloadType, marker);
        _eventPacket[12] = digit switch
        {
            >= '0' and <= '9' => (byte)(digit - '0'),
            '*' => 10,
            '#' => 11,
            _ => throw new ArgumentOutOfRangeException(nameof(digit)),
        };
        _eventPacket[13] = (byte)((end ? 0x80 : 0) | 10);
        BinaryPrimitives.WriteUInt16BigEndian(_eventPacket.AsSpan(14), duration);
    }

    private void WriteHeader(byte[] packet, byte payloadType, bool marker)
    {
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), _timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), _ssrc);
    }

    private void SendAudio()
    {
        var audio = new byte[12 + 160];
        uint timestamp = 0;
        ushort sequence = 0;
        // A 1 kHz tone in G.711 µ-law (8 samples per period), so the station decodes something that is not silence.
        ReadOnlySpan<byte> tone = [0xFF, 0x8D, 0x86, 0x8D, 0xFF, 0x0D, 0x06, 0x0D];
        for (int i = 0; i < 160; i++)
        {
            audio[12 + i] = tone[i % tone.Length];
        }

        // A phone sends a packet every 20 ms by its clock: paced as the station paces its own null devices.
        var pacer = _audioPacer!;
        var period = TimeSpan.FromMilliseconds(20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        while (!_stopped && _audioThread is not null)
        {
            audio[0] = 0x80;
            audio[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(audio.AsSpan(2), sequence++);
            BinaryPrimitives.WriteUInt32BigEndian(audio.AsSpan(4), timestamp);
            BinaryPrimitives.WriteUInt32BigEndian(audio.AsSpan(8), _ssrc + 1);
            timestamp += 160;
            _rtp.SendTo(audio, SocketFlags.None, _stationRtp!);
            Volatile.Write(ref _audioAllocated, GC.GetAllocatedBytesForCurrentThread() - before);
            if (!pacer.WaitPeriod(period))
            {
                return;
            }
        }
    }

    private void DrainRtp()
    {
        var buffer = new byte[2048];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            while (!_stopped)
            {
                _rtp.ReceiveFrom(buffer, SocketFlags.None, from);
                Volatile.Write(ref _drainAllocated, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    private void SipLoop()
    {
        var buffer = new byte[65535];
        try
        {
            while (!_stopped)
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int n = _sip.ReceiveFrom(buffer, ref from);
                long at = Stopwatch.GetTimestamp();
                var text = Encoding.UTF8.GetString(buffer, 0, n);
                if (text.StartsWith("INVITE ", StringComparison.Ordinal))
                {
                    // A retransmission (RFC 3261 §17.1.1.2, the answer was late) is answered again but is not a new INVITE.
                    var callId = CallIdPattern().Match(text).Value;
                    bool fresh = callId != _lastCallId;
                    _lastCallId = callId;
                    if (fresh)
                    {
                        Interlocked.Exchange(ref _lastInviteAt, at);
                    }

                    OnInvite(text, from);
                    if (fresh)
                    {
                        _invites.Release();
                    }
                }
                else if (!text.StartsWith("SIP/2.0", StringComparison.Ordinal) && !text.StartsWith("ACK ", StringComparison.Ordinal))
                {
                    Send(Response(text, "200 OK", tag: null, extra: "", body: ""), from);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    private void OnInvite(string invite, EndPoint from)
    {
        if (!Answer)
        {
            Send(Response(invite, "486 Busy Here", "busy", "", ""), from);
            return;
        }

        var separator = invite.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var offer = separator >= 0 ? invite[(separator + 4)..] : "";
        var address = ConnectionPattern().Match(offer);
        var media = AudioPattern().Match(offer);
        var events = EventPattern().Match(offer);
        if (!address.Success || !media.Success)
        {
            Send(Response(invite, "488 Not Acceptable Here", "nosdp", "", ""), from);
            return;
        }

        _eventPayloadType = events.Success ? int.Parse(events.Groups[1].Value, CultureInfo.InvariantCulture) : 101;
        _stationRtp = new IPEndPoint(IPAddress.Parse(address.Groups[1].Value), int.Parse(media.Groups[1].Value, CultureInfo.InvariantCulture)).Serialize();
        int rtpPort = ((IPEndPoint)_rtp.LocalEndPoint!).Port;
        var sdp = $"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
                  $"m=audio {rtpPort} RTP/AVP 0 {_eventPayloadType}\r\na=rtpmap:0 PCMU/8000\r\n" +
                  $"a=rtpmap:{_eventPayloadType} telephone-event/8000\r\na=fmtp:{_eventPayloadType} 0-15\r\na=ptime:20\r\na=sendrecv\r\n";
        Send(Response(invite, "200 OK", "answered", $"Contact: <sip:resident@127.0.0.1:{SipPort}>\r\nContent-Type: application/sdp\r\n", sdp), from);
    }

    private void Send(string message, EndPoint to) => _sip.SendTo(Encoding.UTF8.GetBytes(message), to);

    /// <summary>A response echoing the request's Via, From, To (with our tag), Call-ID and CSeq (RFC 3261 §8.2.6.2).</summary>
    private static string Response(string request, string status, string? tag, string extra, string body)
    {
        var sb = new StringBuilder($"SIP/2.0 {status}\r\n");
        foreach (var line in request.Split("\r\n"))
        {
            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim().ToLowerInvariant();
            switch (name)
            {
                case "via" or "v" or "from" or "f" or "call-id" or "i" or "cseq":
                    sb.Append(line).Append("\r\n");
                    break;
                case "to" or "t":
                    sb.Append(line);
                    if (tag is not null && !line.Contains(";tag=", StringComparison.OrdinalIgnoreCase))
                    {
                        sb.Append(";tag=").Append(tag);
                    }

                    sb.Append("\r\n");
                    break;
            }
        }

        sb.Append(extra).Append(CultureInfo.InvariantCulture, $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n").Append(body);
        return sb.ToString();
    }

    [GeneratedRegex(@"(?im)^(call-id|i)\s*:.*$")]
    private static partial Regex CallIdPattern();

    [GeneratedRegex(@"c=IN IP4 (\S+)")]
    private static partial Regex ConnectionPattern();

    [GeneratedRegex(@"m=audio (\d+)")]
    private static partial Regex AudioPattern();

    [GeneratedRegex(@"a=rtpmap:(\d+) telephone-event/8000", RegexOptions.IgnoreCase)]
    private static partial Regex EventPattern();
}
