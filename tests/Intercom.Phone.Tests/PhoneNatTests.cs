using System.Net;
using System.Net.Sockets;
using System.Text;
using Intercom.Audio;
using Intercom.Media.Nat;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Registration;
using Intercom.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Phone.Tests;

/// <summary>
/// Issue #19 through the phone's own API: an account with STUN servers learns each call's RTP mapping on that very socket
/// before the SDP is written and advertises it in c= and m= (offer and answer); without an answer within the bound the
/// call goes on with the local address; the account's calls use the Contact its registration learned from the
/// registrar's received/rport. On loopback a real STUN server would map us to ourselves, so a fake one answers a
/// documentation address (198.51.100.7:40000): only written into the SDP, never sent to.
/// </summary>
public sealed class PhoneNatTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint Public = new(IPAddress.Parse("198.51.100.7"), 40000);
    private readonly FakeSipPeer _pbx = new(IPAddress.Loopback);
    private readonly FakeStunServer _stun = new(Public);

    public void Dispose()
    {
        _pbx.Dispose();
        _stun.Dispose();
    }

    [Fact]
    public async Task An_outgoing_calls_offer_carries_the_stun_mapped_address_of_its_rtp_socket()
    {
        using var phone = Start(new AccountNatOptions { StunServers = [new DnsEndPoint("127.0.0.1", _stun.Port)] });

        phone.Calls.Dial("resident", "a");

        var invite = await _pbx.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE");
        string sdp = Encoding.ASCII.GetString(invite.Body.Span);
        Assert.Contains("c=IN IP4 198.51.100.7\r\n", sdp, StringComparison.Ordinal);
        Assert.Contains("m=audio 40000 RTP/AVP", sdp, StringComparison.Ordinal);

        // The Binding request came from the call's RTP socket (the one whose mapping was wanted), not another one.
        var media = Assert.Single(phone.Calls.MediaSessions);
        Assert.Equal(media.Rtp.RtpPort, Assert.Single(_stun.Sources.DistinctBy(s => s.Port)).Port);
        Assert.Equal(Public, media.PublicEndPoint);
        Assert.Equal(Public, phone.Calls.Accounts[0].Stun!.LastMapped);
    }

    [Fact]
    public async Task With_ice_the_offer_carries_host_and_server_reflexive_candidates_and_without_it_none()
    {
        string? first;
        using (var phone = Start(new AccountNatOptions { StunServers = [new DnsEndPoint("127.0.0.1", _stun.Port)] }))
        {
            phone.Calls.Dial("resident", "a");
            var invite = await _pbx.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE");
            first = invite.CallId;
            string sdp = Encoding.ASCII.GetString(invite.Body.Span);
            var media = Assert.Single(phone.Calls.MediaSessions);
            int port = media.Rtp.RtpPort;

            // RFC 8839: credentials, the host candidate (the socket), the srflx one (its mapping, related to the socket).
            Assert.Matches("a=ice-ufrag:[A-Za-z0-9+/]{8}\r\n", sdp);
            Assert.Contains("a=ice-pwd:", sdp, StringComparison.Ordinal);
            Assert.Contains($" 1 UDP 2130706431 127.0.0.1 {port} typ host\r\n", sdp, StringComparison.Ordinal);
            Assert.Contains($" 198.51.100.7 40000 typ srflx raddr 127.0.0.1 rport {port}\r\n", sdp, StringComparison.Ordinal);
            Assert.Contains("a=rtcp-mux\r\n", sdp, StringComparison.Ordinal);
            Assert.Contains("c=IN IP4 198.51.100.7\r\n", sdp, StringComparison.Ordinal); // the default candidate
        }

        using (var phone = Start(new AccountNatOptions { StunServers = [new DnsEndPoint("127.0.0.1", _stun.Port)], Ice = false }))
        {
            phone.Calls.Dial("resident", "a");
            var invite = await _pbx.WaitForAsync(r => r.Method == SipMethods.Invite && r.CallId != first, "second INVITE");
            string sdp = Encoding.ASCII.GetString(invite.Body.Span);
            Assert.DoesNotContain("a=ice-", sdp, StringComparison.Ordinal);
            Assert.DoesNotContain("a=candidate", sdp, StringComparison.Ordinal);
            Assert.Contains("c=IN IP4 198.51.100.7\r\n", sdp, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_answer_carries_the_stun_mapped_address()
    {
        using var phone = Start(new AccountNatOptions { StunServers = [new DnsEndPoint("127.0.0.1", _stun.Port)] });
        var incoming = new TaskCompletionSource<Station.Calls.CallHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
        phone.Calls.CallEvent += (_, e) =>
        {
            if (e.Kind == Station.Calls.CallEventKind.Incoming)
            {
                incoming.TrySetResult(e.Call);
            }
        };

        using var caller = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var station = new IPEndPoint(IPAddress.Loopback, phone.SipPort(SipTransportProtocol.Udp));
        string invite = Invite(station, (IPEndPoint)caller.Client.LocalEndPoint!);
        await caller.SendAsync(Encoding.ASCII.GetBytes(invite), station);
        phone.Calls.Answer(await incoming.Task.WaitAsync(Wait));

        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            var datagram = await caller.ReceiveAsync(timeout.Token);
            if (SipMessageParser.TryParse(datagram.Buffer, out var message, out _) && message is SipResponse { StatusCode: 200 } ok)
            {
                string sdp = Encoding.ASCII.GetString(ok.Body.Span);
                Assert.Contains("c=IN IP4 198.51.100.7\r\n", sdp, StringComparison.Ordinal);
                Assert.Contains("m=audio 40000 RTP/AVP", sdp, StringComparison.Ordinal);
                return;
            }
        }
    }

    [Fact]
    public async Task Without_a_stun_answer_in_time_the_call_goes_on_with_the_local_address()
    {
        _stun.Silent = true;
        using var phone = Start(new AccountNatOptions
        {
            StunServers = [new DnsEndPoint("127.0.0.1", _stun.Port)],
            StunTimeout = TimeSpan.FromMilliseconds(300),
        });

        phone.Calls.Dial("resident", "a");

        var invite = await _pbx.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE");
        string sdp = Encoding.ASCII.GetString(invite.Body.Span);
        var media = Assert.Single(phone.Calls.MediaSessions);
        Assert.Contains("c=IN IP4 127.0.0.1\r\n", sdp, StringComparison.Ordinal);
        Assert.Contains($"m=audio {media.Rtp.RtpPort} RTP/AVP", sdp, StringComparison.Ordinal);
        Assert.Null(media.PublicEndPoint);
        Assert.NotEmpty(_stun.Sources); // it was asked, and did not answer
    }

    [Fact]
    public async Task An_account_without_stun_sends_no_binding_request()
    {
        using var phone = Start(AccountNatOptions.None);
        phone.Calls.Dial("resident", "a");
        var invite = await _pbx.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE");
        Assert.Contains("c=IN IP4 127.0.0.1\r\n", Encoding.ASCII.GetString(invite.Body.Span), StringComparison.Ordinal);
        Assert.Empty(_stun.Sources);
    }

    [Fact]
    public async Task Calls_of_an_account_registered_behind_a_nat_use_the_contact_the_registrar_showed()
    {
        // The registrar saw the REGISTER come from 203.0.113.5:5099 (a NAT's mapping of our SIP socket).
        _pbx.RegistersSeenFrom = new IPEndPoint(IPAddress.Parse("203.0.113.5"), 5099);
        using var phone = Start(AccountNatOptions.None, register: true);
        using (var timeout = new CancellationTokenSource(Wait))
        {
            while (phone.Accounts.Current[0].Client.Status is not { State: RegistrationState.Registered, Contact.Host: "203.0.113.5" })
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        phone.Calls.Dial("resident", "a");

        var invite = await _pbx.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE");
        var contact = Assert.Single(invite.Contacts);
        Assert.Equal("203.0.113.5", contact.Uri.Host);
        Assert.Equal(5099, contact.Uri.Port);
    }

    private SipPhone Start(AccountNatOptions nat, bool register = false) => SipPhone.Start(
        new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "door", Product = "Intercom/test" } },
        [new PhoneListener(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
        new PhoneOptions
        {
            Name = "Front door",
            Accounts =
            [
                new AccountOptions { Id = "a", AddressOfRecord = $"sip:door@{_pbx.HostPort}", Register = register, Password = "secret", KeepAliveInterval = null, Nat = nat },
            ],
            Media = new CallMediaOptions { Formats = [Media.Sdp.MediaFormat.Pcmu] },
            Audio = new AudioOptions { Driver = AudioDriver.Null },
            // The test's caller phones the station directly from loopback.
            IncomingSources = [IPNetwork.Parse("127.0.0.1/32")],
        },
        TimeProvider.System, NullLoggerFactory.Instance);

    private static string Invite(IPEndPoint station, IPEndPoint caller)
    {
        var sdp = "v=0\r\no=pbx 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return $"INVITE sip:door@{station} SIP/2.0\r\n"
            + $"Via: SIP/2.0/UDP {caller};branch=z9hG4bK-nat-test\r\n"
            + "Max-Forwards: 70\r\n"
            + $"From: <sip:resident@{caller}>;tag=resident\r\n"
            + $"To: <sip:door@{station}>\r\n"
            + "Call-ID: nat-test@127.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + $"Contact: <sip:resident@{caller}>\r\n"
            + "Content-Type: application/sdp\r\n"
            + $"Content-Length: {sdp.Length}\r\n\r\n" + sdp;
    }

    /// <summary>A STUN server on loopback that answers every Binding request with a chosen mapped address (or stays silent).</summary>
    private sealed class FakeStunServer : IDisposable
    {
        private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _stop = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<IPEndPoint> _sources = new();
        private readonly IPEndPoint _mapped;

        public FakeStunServer(IPEndPoint mapped)
        {
            _mapped = mapped;
            _ = Task.Run(ReceiveAsync);
        }

        public int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

        public bool Silent { get; set; }

        public IReadOnlyList<IPEndPoint> Sources => [.. _sources];

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
            _stop.Dispose();
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

                if (!StunMessage.TryParse(datagram.Buffer, out StunMessage request, out _) || request.Class != StunMessageClass.Request)
                {
                    continue;
                }

                _sources.Enqueue(datagram.RemoteEndPoint);
                if (Silent)
                {
                    continue;
                }

                var response = new byte[64];
                var writer = new StunMessageWriter(response, StunMethod.Binding, StunMessageClass.SuccessResponse, request.TransactionId);
                writer.AddXorMappedAddress(_mapped);
                writer.AddFingerprint();
                await _socket.SendAsync(response.AsMemory(0, writer.Complete()), datagram.RemoteEndPoint);
            }
        }
    }
}
