using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Sip.Messages;
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
    private static readonly TimeSpan Wait = LoopbackCaller.Wait;

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

    /// <summary>An incoming call from a <see cref="LoopbackCaller"/> with a plain-RTP caller, answered and confirmed.</summary>
    private sealed class AnsweredCall : IAsyncDisposable
    {
        private readonly SipPhone _phone;
        private readonly LoopbackCaller _signalling;
        private readonly TaskCompletionSource<CallEndReason> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private AnsweredCall(SipPhone phone, CallMediaSession caller, LoopbackCaller signalling, CapturedLogLines logs)
        {
            _phone = phone;
            Caller = caller;
            _signalling = signalling;
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
            var phone = LoopbackCaller.StartStation(SrtpPolicy.Disabled, logs);
            var caller = CallMediaSession.Create(IPAddress.Loopback, new CallMediaOptions
            {
                RtpPortMin = 45000, RtpPortMax = 45999, Formats = [MediaFormat.Pcmu], Srtp = SrtpPolicy.Disabled, MediaTimeout = TimeSpan.Zero,
            });
            var call = new AnsweredCall(phone, caller, new LoopbackCaller(phone, callId), logs);
            var incoming = new TaskCompletionSource<CallHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
            phone.Calls.CallEvent += (_, e) =>
            {
                if (e.Kind == CallEventKind.Incoming)
                {
                    incoming.TrySetResult(e.Call);
                }
            };

            await call._signalling.SendAsync("INVITE", 1, "application/sdp", caller.OfferAnswer.CreateOffer(hold: false));
            CallHandle handle = await incoming.Task.WaitAsync(Wait);
            call.Id = handle.Id;
            phone.Calls.Answer(handle);
            SipResponse ok = await call._signalling.ReceiveAsync<SipResponse>(r => r.StatusCode == 200 && r.CSeq?.Method == "INVITE");
            call._signalling.ToTag = ok.To?.Tag;
            await call._signalling.SendAsync("ACK", 1, null, "");
            string answer = Encoding.ASCII.GetString(ok.Body.Span);
            Assert.True(caller.OfferAnswer.ApplyAnswer(answer).Success);
            var media = Regex.Match(answer, @"m=audio (\d+) ");
            call.StationMedia = new IPEndPoint(IPAddress.Loopback, int.Parse(media.Groups[1].Value, CultureInfo.InvariantCulture));
            return call;
        }

        public async Task HangUpAsync()
        {
            await _signalling.SendAsync("BYE", 2, null, "");
            Assert.Equal(CallEndReason.RemoteHangUp, await _ended.Task.WaitAsync(Wait));
        }

        public ValueTask DisposeAsync()
        {
            Caller.Dispose();
            _signalling.Dispose();
            _phone.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
