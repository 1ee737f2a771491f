using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Intercom.Media.Dtmf;
using Intercom.Media.Nat;
using Intercom.Media.Rtp;

namespace Intercom.Security.Tests.Harness;

/// <summary>
/// An attacker on the home network who knows the station's RTP port range (it is in the manual) but not the call's port
/// nor anything of its SDP: sprays well-formed RTP at every even port of the range from an address of its own: comfort
/// noise (RFC 3389, payload type 13, which any station accepts) to take over the stream, and RFC 4733 events with the
/// usual dynamic payload type 101 to key a code.
/// </summary>
public sealed class RtpAttacker : IDisposable
{
    public const byte ComfortNoise = 13;
    public const byte TelephoneEvents = 101;

    private readonly Socket _socket;
    private readonly IPAddress _target;
    private readonly int _portMin;
    private readonly int _portMax;
    private readonly uint _ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private readonly byte[] _packet = new byte[64];
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
    private uint _timestamp = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);

    /// <param name="source">The attacker's own address (not the peer's).</param>
    /// <param name="target">The station's media address.</param>
    /// <param name="portMin">First port of the station's RTP range.</param>
    /// <param name="portMax">Last port of the range.</param>
    public RtpAttacker(IPAddress source, IPAddress target, int portMin, int portMax)
    {
        _target = target;
        _portMin = portMin + (portMin & 1);
        _portMax = portMax;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(source, 0));
    }

    /// <summary>Datagrams sent so far.</summary>
    public long Sent { get; private set; }

    /// <summary>Where the station's packets to the attacker arrive (what a hijacked stream would deliver).</summary>
    public int Available => _socket.Available;

    /// <summary>One comfort-noise packet (noise level -70 dBov) to every even port of the range.</summary>
    public void SprayComfortNoise()
    {
        int length = new RtpHeader(ComfortNoise, _sequence++, _timestamp += 160, _ssrc, Marker: true).Write([70], _packet);
        Spray(length);
    }

    /// <summary>
    /// <paramref name="digits"/> as RFC 4733 §2.5 sends them (a start packet with the marker, continuations, the end
    /// three times) to every even port of the range, 100 ms of events and a pause per digit.
    /// </summary>
    public async Task SprayDigitsAsync(string digits)
    {
        var payload = new byte[TelephoneEvent.Size];
        foreach (char digit in digits)
        {
            if (!DtmfEvent.TryGetEventCode(digit, out byte code))
            {
                throw new ArgumentException($"not a DTMF digit: {digit}", nameof(digits));
            }

            _timestamp += 1600;
            for (int packet = 0; packet < 8; packet++)
            {
                bool end = packet >= 5;
                new TelephoneEvent(code, end, 10, (ushort)(Math.Min(packet, 4) * 160 + 160)).Write(payload);
                int length = new RtpHeader(TelephoneEvents, _sequence++, _timestamp, _ssrc, Marker: packet == 0).Write(payload, _packet);
                Spray(length);
                await Task.Delay(20).ConfigureAwait(false);
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// STUN (RFC 8489) at every even port of the range, which the station's RTP sockets now read as STUN by its first
    /// byte (RFC 7983): a Binding request (would the station answer a stranger, and so reflect traffic?) and a forged
    /// Binding success response naming the attacker as the station's public address (would a stray answer move the call?).
    /// </summary>
    public void SprayStun()
    {
        var attacker = (IPEndPoint)_socket.LocalEndPoint!;
        var request = new StunMessageWriter(_packet, StunMethod.Binding, StunMessageClass.Request, StunTransactionId.New());
        request.AddFingerprint();
        Spray(request.Complete());

        var answer = new StunMessageWriter(_packet, StunMethod.Binding, StunMessageClass.SuccessResponse, StunTransactionId.New());
        answer.AddXorMappedAddress(attacker);
        answer.AddFingerprint();
        Spray(answer.Complete());
    }

    public void Dispose() => _socket.Dispose();

    private void Spray(int length)
    {
        for (int port = _portMin; port <= _portMax; port += 2)
        {
            _socket.SendTo(_packet.AsSpan(0, length), SocketFlags.None, new IPEndPoint(_target, port));
            Sent++;
        }
    }
}
