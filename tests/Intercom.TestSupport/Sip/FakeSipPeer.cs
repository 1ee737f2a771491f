using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Intercom.Sip.Messages;

namespace Intercom.TestSupport;

/// <summary>
/// A registrar and phone on a loopback UDP port for app and phone tests: answers REGISTER with 200 (the binding echoed
/// with the expiry asked for) or a digest challenge, INVITE with 200 and a PCMU answer, BYE with 200; records every
/// request it receives.
/// </summary>
public sealed class FakeSipPeer : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly UdpClient _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<SipRequest> _requests = new();
    private readonly SemaphoreSlim _received = new(0);
    private readonly Task _loop;

    /// <summary>A peer on <paramref name="address"/> (127.0.0.1 when null; another loopback address is another host).</summary>
    public FakeSipPeer(IPAddress? address = null)
    {
        _socket = new(new IPEndPoint(address ?? IPAddress.Loopback, 0));
        _loop = Task.Run(ReceiveAsync);
    }

    public int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

    public string HostPort => $"{((IPEndPoint)_socket.Client.LocalEndPoint!).Address}:{Port}";

    /// <summary>The final status INVITEs are answered with (200 with a PCMU answer unless set; 503, 403, 486 for a refusal).</summary>
    public int InviteStatus { get; set; } = 200;

    /// <summary>
    /// Callees that forward: an INVITE whose Request-URI names the user is answered 302 with this Contact header value
    /// (as a desk phone set to forward, or a PBX's call forwarding, answers).
    /// </summary>
    public ConcurrentDictionary<string, string> Redirects { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// 200 (the default) binds every REGISTER; 401 challenges every one (RFC 3261 §22.2), with credentials or not, as a
    /// registrar does that refuses the password.
    /// </summary>
    public int RegisterStatus { get; set; } = 200;

    /// <summary>
    /// Where a NAT in front of the station makes its REGISTERs appear to come from: stamped as received/rport in the
    /// top Via of REGISTER responses (RFC 3581 §4), as a registrar does; null: the real source, as it is on loopback.
    /// </summary>
    public IPEndPoint? RegistersSeenFrom { get; set; }

    /// <summary>Sends <paramref name="request"/> from this peer's socket (as its registrar would send a call to a binding).</summary>
    public Task SendAsync(string request, IPEndPoint to) => _socket.SendAsync(Encoding.ASCII.GetBytes(request), to).AsTask();

    /// <summary>Requests received so far, in order (retransmissions included).</summary>
    public IReadOnlyList<SipRequest> Requests => [.. _requests];

    /// <summary>REGISTERs received: the AOR's user, the Expires asked for, the Call-ID.</summary>
    /// <summary>
    /// The REGISTER requests received, each once: a retransmission (RFC 3261 §17.1.2.2, Timer E: the same Call-ID and
    /// CSeq, sent again when our answer is slow on a loaded machine) is the same request, not another registration.
    /// </summary>
    public IReadOnlyList<(string User, uint Expires, string CallId)> Registers =>
        [.. _requests.Where(r => r.Method == SipMethods.Register)
            .DistinctBy(r => (r.CallId, r.CSeq?.Number))
            .Select(r => (r.To!.Uri.User ?? "", r.Expires ?? 0, r.CallId ?? ""))];

    /// <summary>Waits until a received request satisfies <paramref name="condition"/>.</summary>
    public async Task<SipRequest> WaitForAsync(Func<SipRequest, bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            if (_requests.FirstOrDefault(condition) is { } found)
            {
                return found;
            }

            try
            {
                await _received.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{what}: not received within {Wait.TotalSeconds} s; got:\n"
                    + string.Join("\n", _requests.Select(r => $"{r.Method} {r.RequestUri} To: {r.To} Expires: {r.Expires}")));
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(Wait);
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
        _received.Dispose();
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (!SipMessageParser.TryParse(datagram.Buffer, out var message, out _) || message is not SipRequest request)
            {
                continue;
            }

            _requests.Enqueue(request);
            _received.Release();
            if (Answer(request) is { } response)
            {
                var bytes = SipMessageWriter.ToBytes(response);
                await _socket.SendAsync(bytes, datagram.RemoteEndPoint);
            }
        }
    }

    private SipResponse? Answer(SipRequest request)
    {
        switch (request.Method)
        {
            case SipMethods.Register when RegisterStatus == 401:
            {
                var challenge = SipResponseFactory.Create(request, 401, null, "reg");
                challenge.Headers.Add(SipHeaderNames.WwwAuthenticate, "Digest realm=\"pbx\", nonce=\"fake-nonce-4711\", algorithm=MD5, qop=\"auth\"");
                return challenge;
            }

            case SipMethods.Register:
            {
                if (RegistersSeenFrom is { } seen && request.TopVia is { } via)
                {
                    via.Received = seen.Address.ToString();
                    via.SetRport(seen.Port);
                    request.SetTopVia(via);
                }

                var response = SipResponseFactory.Create(request, 200, null, "reg");
                foreach (var contact in request.Contacts)
                {
                    var bound = contact.Clone();
                    bound.Parameters.Set("expires", (request.Expires ?? 600).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    response.Headers.Add(SipHeaderNames.Contact, bound.ToString());
                }

                return response;
            }

            case SipMethods.Invite when request.RequestUri.User is { } callee && Redirects.TryGetValue(callee, out var forwardTo):
            {
                var redirect = SipResponseFactory.Create(request, 302, null, "forwarder");
                redirect.Headers.Add(SipHeaderNames.Contact, forwardTo);
                return redirect;
            }

            case SipMethods.Invite when InviteStatus != 200:
                return SipResponseFactory.Create(request, InviteStatus, null, "callee");
            case SipMethods.Invite:
            {
                var response = SipResponseFactory.Create(request, 200, null, "callee");
                response.Headers.Add(SipHeaderNames.Contact, $"<sip:peer@{HostPort}>");
                response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
                response.Body = Encoding.ASCII.GetBytes(
                    "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n");
                return response;
            }

            case SipMethods.Bye or SipMethods.Options or SipMethods.Info:
                return SipResponseFactory.Create(request, 200);
            default:
                return null;
        }
    }
}
