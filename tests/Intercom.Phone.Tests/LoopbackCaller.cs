using System.Net;
using System.Net.Sockets;
using System.Text;
using Intercom.Audio;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace Intercom.Phone.Tests;

/// <summary>
/// A caller on a bare UDP socket on loopback: one dialog's requests written by hand (so a test can put anything in them)
/// and the station's messages read back; and the station it calls, taking calls from 127.0.0.1 with PCMU and no sound device.
/// </summary>
internal sealed class LoopbackCaller : IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly IPEndPoint _station;
    private readonly string _callId;

    public LoopbackCaller(SipPhone station, string callId)
    {
        ArgumentNullException.ThrowIfNull(station);
        _station = new IPEndPoint(IPAddress.Loopback, station.SipPort(SipTransportProtocol.Udp));
        _callId = callId;
    }

    /// <summary>The To tag of the dialog once the station answered (set by the test from the 200).</summary>
    public string? ToTag { get; set; }

    /// <summary>The station: one account that does not register, calls from 127.0.0.1 taken, media with <paramref name="srtp"/>.</summary>
    public static SipPhone StartStation(SrtpPolicy srtp, ILoggerFactory logs) => SipPhone.Start(
        new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "door", Product = "Intercom/test" } },
        [new PhoneListener(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
        new PhoneOptions
        {
            Name = "Front door",
            Accounts = [new AccountOptions { Id = "a", AddressOfRecord = "sip:door@127.0.0.1", Register = false, KeepAliveInterval = null, Srtp = srtp }],
            Media = new CallMediaOptions { Formats = [MediaFormat.Pcmu] },
            Audio = new AudioOptions { Driver = AudioDriver.Null },
            IncomingSources = [IPNetwork.Parse("127.0.0.1/32")],
        },
        TimeProvider.System, logs);

    public Task SendAsync(string method, int sequence, string? contentType, string body)
    {
        var from = (IPEndPoint)_socket.Client.LocalEndPoint!;
        string request = $"{method} sip:door@{_station} SIP/2.0\r\n"
            + $"Via: SIP/2.0/UDP {from};branch=z9hG4bK-{_callId}-{method.ToLowerInvariant()}-{sequence}\r\n"
            + "Max-Forwards: 70\r\n"
            + $"From: <sip:resident@{from}>;tag=resident\r\n"
            + $"To: <sip:door@{_station}>{(ToTag is null ? "" : ";tag=" + ToTag)}\r\n"
            + $"Call-ID: {_callId}@127.0.0.1\r\n"
            + $"CSeq: {sequence} {method}\r\n"
            + $"Contact: <sip:resident@{from}>\r\n"
            + (contentType is null ? "" : $"Content-Type: {contentType}\r\n")
            + $"Content-Length: {Encoding.ASCII.GetByteCount(body)}\r\n\r\n" + body;
        return _socket.SendAsync(Encoding.ASCII.GetBytes(request), _station).AsTask();
    }

    /// <summary>The next message of type <typeparamref name="T"/> that is <paramref name="wanted"/>, within <see cref="Wait"/>.</summary>
    public async Task<T> ReceiveAsync<T>(Func<T, bool> wanted)
        where T : SipMessage
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            var datagram = await _socket.ReceiveAsync(timeout.Token);
            if (SipMessageParser.TryParse(datagram.Buffer, out var message, out _) && message is T typed && wanted(typed))
            {
                return typed;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
