using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Intercom.Audio;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Station.Calls;
using Intercom.TestSupport;
using Intercom.TestSupport.Logging;
using CallEndReason = Intercom.Station.Calls.CallEndReason;

namespace Intercom.Phone.Tests;

/// <summary>
/// An answered call's end puts what its media did in the journal: packets taken from the peer and those dropped, by why.
/// "The resident could not hear the visitor" is then one line to read, and one-way audio (we sent, nothing of the peer's
/// was taken) is a warning.
/// </summary>
public sealed partial class PhoneMediaSummaryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_calls_end_logs_what_was_taken_and_what_was_dropped_from_elsewhere()
    {
        await using var call = await AnsweredCall.StartAsync("summary");

        // Someone else on the network (another loopback address) sprays RTP at the station's media port: counted, dropped.
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        for (ushort i = 0; i < 3; i++)
        {
            await stranger.SendAsync(StrangersRtp(i), call.StationMedia);
        }

        // Then the caller's own RTP: a digit as RFC 4733 events (§2.3: event 7, then its end three times), which the
        // station reports once it took them.
        int events = call.Caller.OfferAnswer.Negotiator.Media!.SendTelephoneEventPayloadType!.Value;
        Assert.True(call.Caller.Rtp.Send((byte)events, 1000, true, [7, 10, 0, 160]));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(call.Caller.Rtp.Send((byte)events, 1000, false, [7, 0x80 | 10, 3, 32]));
        }

        Assert.Equal('7', await call.Digit.Task.WaitAsync(Wait));

        await call.HangUpAsync();

        string line = Assert.Single(call.Logs.Lines, l => l.Contains($"call {call.Id}: media:", StringComparison.Ordinal));
        Assert.StartsWith("Information", line, StringComparison.Ordinal);
        Assert.Contains("dropped: 3 from elsewhere, 0 failing SRTP, 0 malformed", line, StringComparison.Ordinal);
        Assert.True(Count(line, "RTP received") >= 1, line);
    }

    [Fact]
    public async Task A_call_where_the_station_sent_and_took_nothing_of_the_peers_is_a_warning()
    {
        await using var call = await AnsweredCall.StartAsync("oneway");
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await stranger.SendAsync(StrangersRtp(1), call.StationMedia);

        // The station's RTP reaches the caller, who sends none back (its media went somewhere else, as behind a NAT).
        await Eventually.UntilAsync(() => call.Caller.Rtp.PacketsReceived > 0, "the station's RTP reached the caller", Wait);
        await call.HangUpAsync();

        string line = Assert.Single(call.Logs.Lines, l => l.Contains($"call {call.Id}: no media from the peer was taken (one-way audio)", StringComparison.Ordinal));
        Assert.StartsWith("Warning", line, StringComparison.Ordinal);
        Assert.Equal(0, Count(line, "RTP received"));
        Assert.True(Count(line, "RTP sent") > 0, line);
    }

    private static long Count(string line, string what) =>
        long.Parse(Regex.Match(line, @"(\d+) " + Regex.Escape(what)).Groups[1].Value, CultureInfo.InvariantCulture);

    private static byte[] StrangersRtp(ushort sequence)
    {
        var packet = new byte[12 + 160];
        packet[0] = 0x80;
        packet[2] = (byte)(sequence >> 8);
        packet[3] = (byte)sequence;
        packet[8] = 0x5A; // SSRC
        return packet;
    }

    /// <summary>An incoming call from a UDP socket with a plain-RTP caller, answered and confirmed.</summary>
    private sealed class AnsweredCall : IAsyncDisposable
    {
        private readonly SipPhone _phone;
        private readonly UdpClient _signalling;
        private readonly IPEndPoint _station;
        private readonly string _callId;
        private readonly TaskCompletionSource<CallEndReason> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private string? _toTag;

        private AnsweredCall(SipPhone phone, CallMediaSession caller, UdpClient signalling, IPEndPoint station, string callId, CapturedLogLines logs)
        {
            _phone = phone;
            Caller = caller;
            _signalling = signalling;
            _station = station;
            _callId = callId;
            Logs = logs;
            phone.Calls.CallEvent += (_, e) =>
            {
                if (e.Kind == CallEventKind.Dtmf)
                {
                    Digit.TrySetResult(e.Digit);
                }
                else if (e.Kind == CallEventKind.Ended)
                {
                    _ended.TrySetResult(e.EndReason);
                }
            };
        }

        public CallMediaSession Caller { get; }

        public CapturedLogLines Logs { get; }

        public TaskCompletionSource<char> Digit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Id { get; private set; }

        /// <summary>Where the station's answer says its RTP is taken.</summary>
        public IPEndPoint StationMedia { get; private set; } = null!;

        public static async Task<AnsweredCall> StartAsync(string callId)
        {
            var logs = new CapturedLogLines();
            var phone = SipPhone.Start(
                new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "door", Product = "Intercom/test" } },
                [new PhoneListener(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
                new PhoneOptions
                {
                    Name = "Front door",
                    Accounts = [new AccountOptions { Id = "a", AddressOfRecord = "sip:door@127.0.0.1", Register = false, KeepAliveInterval = null, Srtp = SrtpPolicy.Disabled }],
                    Media = new CallMediaOptions { Formats = [MediaFormat.Pcmu] },
                    Audio = new AudioOptions { Driver = AudioDriver.Null },
                    IncomingSources = [IPNetwork.Parse("127.0.0.1/32")],
                },
                TimeProvider.System, logs);
            var caller = CallMediaSession.Create(IPAddress.Loopback, new CallMediaOptions
            {
                RtpPortMin = 45000, RtpPortMax = 45999, Formats = [MediaFormat.Pcmu], Srtp = SrtpPolicy.Disabled, MediaTimeout = TimeSpan.Zero,
            });
            var signalling = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var call = new AnsweredCall(phone, caller, signalling, new IPEndPoint(IPAddress.Loopback, phone.SipPort(SipTransportProtocol.Udp)), callId, logs);
            var incoming = new TaskCompletionSource<CallHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
            phone.Calls.CallEvent += (_, e) =>
            {
                if (e.Kind == CallEventKind.Incoming)
                {
                    incoming.TrySetResult(e.Call);
                }
            };

            await call.SendAsync("INVITE", 1, "application/sdp", caller.OfferAnswer.CreateOffer(hold: false));
            CallHandle handle = await incoming.Task.WaitAsync(Wait);
            call.Id = handle.Id;
            phone.Calls.Answer(handle);
            SipResponse ok = await call.ReceiveAsync<SipResponse>(r => r.StatusCode == 200 && r.CSeq?.Method == "INVITE");
            call._toTag = ok.To?.Tag;
            await call.SendAsync("ACK", 1, null, "");
            string answer = Encoding.ASCII.GetString(ok.Body.Span);
            Assert.True(caller.OfferAnswer.ApplyAnswer(answer).Success);
            var media = Regex.Match(answer, @"m=audio (\d+) ");
            call.StationMedia = new IPEndPoint(IPAddress.Loopback, int.Parse(media.Groups[1].Value, CultureInfo.InvariantCulture));
            return call;
        }

        public async Task HangUpAsync()
        {
            await SendAsync("BYE", 2, null, "");
            Assert.Equal(CallEndReason.RemoteHangUp, await _ended.Task.WaitAsync(Wait));
        }

        public async ValueTask DisposeAsync()
        {
            Caller.Dispose();
            _signalling.Dispose();
            _phone.Dispose();
            await Task.CompletedTask;
        }

        private Task SendAsync(string method, int sequence, string? contentType, string body)
        {
            var from = (IPEndPoint)_signalling.Client.LocalEndPoint!;
            string request = $"{method} sip:door@{_station} SIP/2.0\r\n"
                + $"Via: SIP/2.0/UDP {from};branch=z9hG4bK-{_callId}-{method.ToLowerInvariant()}\r\n"
                + "Max-Forwards: 70\r\n"
                + $"From: <sip:resident@{from}>;tag=resident\r\n"
                + $"To: <sip:door@{_station}>{(_toTag is null ? "" : ";tag=" + _toTag)}\r\n"
                + $"Call-ID: {_callId}@127.0.0.1\r\n"
                + $"CSeq: {sequence} {method}\r\n"
                + $"Contact: <sip:resident@{from}>\r\n"
                + (contentType is null ? "" : $"Content-Type: {contentType}\r\n")
                + $"Content-Length: {Encoding.ASCII.GetByteCount(body)}\r\n\r\n" + body;
            return _signalling.SendAsync(Encoding.ASCII.GetBytes(request), _station).AsTask();
        }

        private async Task<T> ReceiveAsync<T>(Func<T, bool> wanted)
            where T : SipMessage
        {
            using var timeout = new CancellationTokenSource(Wait);
            while (true)
            {
                var datagram = await _signalling.ReceiveAsync(timeout.Token);
                if (SipMessageParser.TryParse(datagram.Buffer, out var message, out _) && message is T typed && wanted(typed))
                {
                    return typed;
                }
            }
        }
    }
}
