using System.Net;
using System.Net.Sockets;
using System.Text;
using Intercom.Audio;
using Intercom.Media.Dtls;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Station.Calls;
using Intercom.TestSupport.Logging;
using CallEndReason = Intercom.Station.Calls.CallEndReason;

namespace Intercom.Phone.Tests;

/// <summary>
/// A call whose DTLS-SRTP handshake fails ends, and the journal says why: the call's end reports only "Failed", and an
/// installer (or someone looking for an attack) must be able to tell a certificate that is not the SDP's a=fingerprint
/// (someone in the middle, RFC 5763 §5) from a peer that went away.
/// </summary>
public sealed class PhoneDtlsFailureTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_certificate_that_is_not_the_offers_fingerprint_ends_the_call_and_is_logged_with_the_reason()
    {
        var logs = new CapturedLogLines();
        using var phone = SipPhone.Start(
            new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "door", Product = "Intercom/test" } },
            [new PhoneListener(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
            new PhoneOptions
            {
                Name = "Front door",
                Accounts = [new AccountOptions { Id = "a", AddressOfRecord = "sip:door@127.0.0.1", Register = false, KeepAliveInterval = null, Srtp = SrtpPolicy.DtlsSrtp }],
                Media = new CallMediaOptions { Formats = [MediaFormat.Pcmu] },
                Audio = new AudioOptions { Driver = AudioDriver.Null },
                IncomingSources = [IPNetwork.Parse("127.0.0.1/32")],
            },
            TimeProvider.System, logs);
        var incoming = new TaskCompletionSource<CallHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource<CallEndReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        phone.Calls.CallEvent += (_, e) =>
        {
            if (e.Kind == CallEventKind.Incoming)
            {
                incoming.TrySetResult(e.Call);
            }
            else if (e.Kind == CallEventKind.Ended)
            {
                ended.TrySetResult(e.EndReason);
            }
        };

        // The caller's offer reaches the station with someone else's fingerprint: the certificate on the media path (the
        // caller's real one) is then not the one the SDP names.
        using var caller = CallMediaSession.Create(IPAddress.Loopback, new CallMediaOptions
        {
            RtpPortMin = 44000, RtpPortMax = 44999, Formats = [MediaFormat.Pcmu], Srtp = SrtpPolicy.DtlsSrtp, MediaTimeout = TimeSpan.Zero,
        });
        string offer = caller.OfferAnswer.CreateOffer(hold: false);
        string genuine = DtlsContext.Station.Certificate.Fingerprint.ToString();
        string forged = offer.Replace(genuine, DtlsCertificate.Create("mallory").Fingerprint.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(offer, forged);

        using var signalling = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var station = new IPEndPoint(IPAddress.Loopback, phone.SipPort(SipTransportProtocol.Udp));
        var from = (IPEndPoint)signalling.Client.LocalEndPoint!;
        await signalling.SendAsync(Encoding.ASCII.GetBytes(Request("INVITE", station, from, toTag: null, "application/sdp", forged)), station);
        CallHandle call = await incoming.Task.WaitAsync(Wait);
        phone.Calls.Answer(call);

        SipResponse ok = await ReceiveAsync<SipResponse>(signalling, r => r.StatusCode == 200);
        string? toTag = ok.To?.Tag;
        await signalling.SendAsync(Encoding.ASCII.GetBytes(Request("ACK", station, from, toTag, null, "")), station);
        Assert.True(caller.OfferAnswer.ApplyAnswer(Encoding.ASCII.GetString(ok.Body.Span)).Success);

        // The handshake runs and the station finds the wrong certificate: it hangs up, and says so with the call's id.
        await ReceiveAsync<SipRequest>(signalling, r => r.Method == SipMethods.Bye);
        Assert.Equal(CallEndReason.Failed, await ended.Task.WaitAsync(Wait));
        string line = Assert.Single(logs.Lines, l => l.Contains("secure media failed", StringComparison.Ordinal));
        Assert.Contains($"call {call.Id}:", line, StringComparison.Ordinal);
        Assert.Contains("does not match its a=fingerprint", line, StringComparison.Ordinal);
        Assert.StartsWith("Warning", line, StringComparison.Ordinal);
    }

    private static string Request(string method, IPEndPoint station, IPEndPoint caller, string? toTag, string? contentType, string body) =>
        $"{method} sip:door@{station} SIP/2.0\r\n"
        + $"Via: SIP/2.0/UDP {caller};branch=z9hG4bK-dtls-{method.ToLowerInvariant()}\r\n"
        + "Max-Forwards: 70\r\n"
        + $"From: <sip:resident@{caller}>;tag=resident\r\n"
        + $"To: <sip:door@{station}>{(toTag is null ? "" : ";tag=" + toTag)}\r\n"
        + "Call-ID: dtls-failure@127.0.0.1\r\n"
        + $"CSeq: 1 {method}\r\n"
        + $"Contact: <sip:resident@{caller}>\r\n"
        + (contentType is null ? "" : $"Content-Type: {contentType}\r\n")
        + $"Content-Length: {Encoding.ASCII.GetByteCount(body)}\r\n\r\n" + body;

    private static async Task<T> ReceiveAsync<T>(UdpClient socket, Func<T, bool> wanted)
        where T : SipMessage
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            var datagram = await socket.ReceiveAsync(timeout.Token);
            if (SipMessageParser.TryParse(datagram.Buffer, out var message, out _) && message is T typed && wanted(typed))
            {
                return typed;
            }
        }
    }
}
