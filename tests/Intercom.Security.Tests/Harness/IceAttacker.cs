using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Intercom.Media.Dtmf;
using Intercom.Media.Nat;
using Intercom.Media.Rtp;

namespace Intercom.Security.Tests.Harness;

/// <summary>
/// An attacker on the home network during a call that runs under ICE (RFC 8445). It knows the station's media port and
/// both ICE usernames (ufrags travel in the SDP; a guess or a sniffed INVITE gives them away) but not the station's ICE
/// password, which keys MESSAGE-INTEGRITY. From an address of its own it sends connectivity checks that try to nominate
/// itself (USE-CANDIDATE, ICE-CONTROLLING, the highest PRIORITY), RFC 4733 events for a code, and DTLS alerts to spoil a
/// DTLS-SRTP handshake, and it keeps everything the station sends back, sorted by what it is.
/// </summary>
public sealed class IceAttacker : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private readonly ConcurrentQueue<byte[]> _received = new();
    private readonly uint _ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
    private uint _timestamp = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private long _dtlsSequence = RandomNumberGenerator.GetInt32(int.MaxValue);

    /// <param name="source">The attacker's address (any 127.0.0.0/8 address stands for another host on the LAN).</param>
    public IceAttacker(IPAddress source)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(source, 0));
        _receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>Where the attacker sends from.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Datagrams sent so far.</summary>
    public int Sent { get; private set; }

    /// <summary>Datagrams received from anyone, of any kind.</summary>
    public int Received => _received.Count;

    /// <summary>STUN error responses received (400, 401: the station refusing a check), by code.</summary>
    public IReadOnlyList<int> ErrorCodes => [.. Classified().Where(d => d.Kind == Kind.StunError).Select(d => d.ErrorCode)];

    /// <summary>STUN success responses received: the station vouching for a check it should have refused.</summary>
    public int SuccessResponses => Classified().Count(d => d.Kind == Kind.StunSuccess);

    /// <summary>STUN Binding requests received: the station checking the attacker as a candidate (a pair formed).</summary>
    public int BindingRequests => Classified().Count(d => d.Kind == Kind.StunRequest);

    /// <summary>RTP or RTCP received: the call's media coming to the attacker.</summary>
    public int MediaPackets => Classified().Count(d => d.Kind == Kind.Media);

    /// <summary>
    /// A connectivity check as the controlling agent would nominate with (RFC 8445 §7.1): USERNAME
    /// <paramref name="username"/> (null: none), PRIORITY of a host candidate at the top, ICE-CONTROLLING with the largest
    /// tie-breaker, USE-CANDIDATE, then MESSAGE-INTEGRITY keyed with <paramref name="password"/> (null: none) and FINGERPRINT.
    /// </summary>
    public void SendCheck(IPEndPoint station, string? username, string? password)
    {
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunMessageClass.Request, StunTransactionId.New());
        if (username is not null)
        {
            writer.AddUsername(username);
        }

        writer.AddPriority(2130706431);
        writer.AddIceControlling(ulong.MaxValue);
        writer.AddUseCandidate();
        if (password is not null)
        {
            writer.AddMessageIntegrity(StunCredentials.ShortTermKey(password));
        }

        writer.AddFingerprint();
        Send(buffer.AsSpan(0, writer.Complete()), station);
    }

    /// <summary>
    /// <paramref name="digits"/> as RFC 4733 §2.5 sends them, with <paramref name="payloadType"/> (the one the call
    /// negotiated): a start packet with the marker, continuations, the end three times, 20 ms apart, a pause per digit.
    /// </summary>
    public async Task SendDigitsAsync(IPEndPoint station, string digits, byte payloadType)
    {
        var payload = new byte[TelephoneEvent.Size];
        var packet = new byte[64];
        foreach (char digit in digits)
        {
            if (!DtmfEvent.TryGetEventCode(digit, out byte code))
            {
                throw new ArgumentException($"not a DTMF digit: {digit}", nameof(digits));
            }

            _timestamp += 1600;
            for (int i = 0; i < 8; i++)
            {
                new TelephoneEvent(code, i >= 5, 10, (ushort)((Math.Min(i, 4) * 160) + 160)).Write(payload);
                int length = new RtpHeader(payloadType, _sequence++, _timestamp, _ssrc, Marker: i == 0).Write(payload, packet);
                Send(packet.AsSpan(0, length), station);
                await Task.Delay(20).ConfigureAwait(false);
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A fatal handshake_failure alert as a DTLS 1.2 record of epoch 0 (RFC 6347 §4.1): before the keys change, alerts go
    /// unprotected, so whoever reads this one from an endpoint mid-handshake ends that handshake. Each record has the next
    /// sequence number, as a replay window would want.
    /// </summary>
    public void SendDtlsAlert(IPEndPoint station)
    {
        Span<byte> record = stackalloc byte[15];
        record[0] = 21; // alert
        record[1] = 0xfe; // DTLS 1.2
        record[2] = 0xfd;
        record[3] = 0; // epoch 0
        record[4] = 0;
        long sequence = _dtlsSequence++;
        for (int i = 0; i < 6; i++)
        {
            record[5 + i] = (byte)(sequence >> (8 * (5 - i)));
        }

        record[11] = 0;
        record[12] = 2;
        record[13] = 2; // fatal
        record[14] = 40; // handshake_failure
        Send(record, station);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _receiving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The receive loop ends with the socket.
        }

        _stop.Dispose();
    }

    private void Send(ReadOnlySpan<byte> datagram, IPEndPoint station)
    {
        _socket.SendTo(datagram, SocketFlags.None, station);
        Sent++;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (e is SocketException && !_stop.IsCancellationRequested)
                {
                    continue;
                }

                return;
            }

            _received.Enqueue(buffer.AsSpan(0, length).ToArray());
        }
    }

    private List<(Kind Kind, int ErrorCode)> Classified()
    {
        var result = new List<(Kind, int)>();
        foreach (byte[] datagram in _received)
        {
            if (StunMessage.TryParse(datagram, out StunMessage message, out _))
            {
                result.Add(message.Class switch
                {
                    StunMessageClass.SuccessResponse => (Kind.StunSuccess, 0),
                    StunMessageClass.ErrorResponse => (Kind.StunError, message.TryGetErrorCode(out int code, out _) ? code : 0),
                    StunMessageClass.Request => (Kind.StunRequest, 0),
                    _ => (Kind.Other, 0),
                });
            }
            else
            {
                result.Add((datagram.Length >= 12 && datagram[0] >> 6 == 2 ? Kind.Media : Kind.Other, 0));
            }
        }

        return result;
    }

    private enum Kind
    {
        StunSuccess,
        StunError,
        StunRequest,
        Media,
        Other,
    }
}
