using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Intercom.Configuration;
using Intercom.Interop.Tests.Nat;
using Intercom.Interop.Tests.Peers;
using Intercom.Media.Nat;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.TestSupport;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Turn;

/// <summary>
/// RFC 8839 Appendix B's race as re (baresip's stack, libre 1.1) runs it on every call: when its checks conclude it
/// sends its nominating check and, in the same instant, a re-INVITE whose c=/m= is the local candidate of the pair it
/// selected. re then sends its RTP to the answer's c=/m=. If the re-INVITE comes first, nothing is nominated or
/// selected at the station yet; an answer naming the station's first default (its STUN mapping) sent a phone behind a
/// symmetric NAT's audio where nothing arrives (TurnCallTests failed so, now and then, in CI). Here the race is
/// played step by step against the published binary, with coturn on loopback as the station's TURN server: the
/// resident's check reaches the station's relayed candidate and is answered, and the resident re-offers with no
/// nomination at all. The answer must name the relayed candidate.
/// </summary>
public sealed class TurnReofferTests(ITestOutputHelper output)
{
    private const string Password = "resident-turn-digest-secret";
    private const string ResidentUfrag = "resi";
    private const string ResidentIcePassword = "residenticepasswordresident";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_reoffer_that_comes_before_any_nomination_is_answered_with_the_relayed_candidate_the_peers_check_reached()
    {
        await using var coturn = await CoturnRelay.StartAsync();
        string directory = Directory.CreateTempSubdirectory("intercom-turn-reoffer-").FullName;
        try
        {
            int sipPort = FreePort.Next();
            await using var station = await LabStation.StartAsync(StationConfig(sipPort, coturn.Port), null, directory, Wait);
            using var media = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            media.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var resident = new ScriptedIceOffer((IPEndPoint)media.LocalEndPoint!);
            using var sip = SipStack.Create(new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "resident", Product = "turn-reoffer-test" } });
            sip.Listen(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0));
            SipCall call = LoopbackDoor.Dial(sip, sipPort, Password, resident);
            var probe = new CallProbe(call);
            try
            {
                await probe.WaitForAsync("answered", Wait);
                string first = await resident.NextAnswerAsync(Wait);
                output.WriteLine("the station's answer:\n" + first);
                IPEndPoint relayed = Candidate(first, "relay");
                Assert.Equal(IPAddress.Loopback, relayed.Address);
                Assert.NotEqual(relayed, Default(first));

                // The resident's own check (no USE-CANDIDATE) to the relayed candidate, answered with success from there.
                await CheckAsync(media, relayed, Ufrag(first) + ":" + ResidentUfrag, IcePassword(first));

                // The re-offer re sends on concluding, before its nominating check: the station has selected nothing.
                call.Hold(false);
                string second = await resident.NextAnswerAsync(Wait);
                output.WriteLine("the station's answer to the re-offer:\n" + second);
                Assert.DoesNotContain(station.Process.Lines, l => l.Contains("ICE selected pair", StringComparison.Ordinal));
                Assert.Equal(relayed, Default(second));
            }
            finally
            {
                output.WriteLine("station:\n" + station.Process.Tail(40));
                call.Hangup();
                await probe.WaitForAsync("ended", Wait);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Sends a connectivity check as the controlling agent (RFC 8445 §7.2.2) and waits for its success response from
    /// <paramref name="to"/>, sending the same request again every 500 ms meanwhile (RFC 8489 §6.2.1): coturn drops what
    /// comes before the station's permission for our address is installed (RFC 8656 §9), and that request may still be
    /// on its way when the answer reaches us.
    /// </summary>
    private static async Task CheckAsync(Socket socket, IPEndPoint to, string username, string password)
    {
        var request = new byte[256];
        var id = StunTransactionId.New();
        var writer = new StunMessageWriter(request, StunMethod.Binding, StunMessageClass.Request, id);
        writer.AddUsername(username);
        writer.AddPriority(2130706431);
        writer.AddIceControlling(0x0123456789ABCDEF);
        writer.AddMessageIntegrity(StunCredentials.ShortTermKey(password));
        writer.AddFingerprint();
        int length = writer.Complete();

        using var deadline = new CancellationTokenSource(Wait);
        var buffer = new byte[2048];
        while (true)
        {
            await socket.SendToAsync(request.AsMemory(0, length), to, deadline.Token);
            using var retransmit = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            retransmit.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                while (true)
                {
                    // The station's own checks and RTP come here too; only the answer to this check ends the wait.
                    SocketReceiveFromResult received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), retransmit.Token);
                    if (StunMessage.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out StunMessage message, out _)
                        && message.TransactionId.Equals(id))
                    {
                        Assert.Equal(StunMessageClass.SuccessResponse, message.Class);
                        Assert.Equal(to, received.RemoteEndPoint);
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                // No answer in 500 ms: the same request again.
            }
        }
    }

    private static IPEndPoint Default(string sdp)
    {
        Match address = Regex.Match(sdp, @"^c=IN IP4 (\S+)\r$", RegexOptions.Multiline);
        Match port = Regex.Match(sdp, @"^m=audio (\d+) ", RegexOptions.Multiline);
        Assert.True(address.Success && port.Success, sdp);
        return new IPEndPoint(IPAddress.Parse(address.Groups[1].Value), int.Parse(port.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static IPEndPoint Candidate(string sdp, string type)
    {
        Match candidate = Regex.Match(sdp, @"^a=candidate:\S+ 1 UDP \d+ (\S+) (\d+) typ " + type + @"\b", RegexOptions.Multiline | RegexOptions.IgnoreCase);
        Assert.True(candidate.Success, $"no {type} candidate in\n{sdp}");
        return new IPEndPoint(IPAddress.Parse(candidate.Groups[1].Value), int.Parse(candidate.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Ufrag(string sdp) => Regex.Match(sdp, @"^a=ice-ufrag:(\S+)\r$", RegexOptions.Multiline).Groups[1].Value;

    private static string IcePassword(string sdp) => Regex.Match(sdp, @"^a=ice-pwd:(\S+)\r$", RegexOptions.Multiline).Groups[1].Value;

    private static string StationConfig(int sipPort, int turnPort) => LoopbackDoor.Serialize(LoopbackDoor.Config("TURN re-offer door", sipPort, Password,
        new SipAccountNatConfig
        {
            Stun = [$"stun:127.0.0.1:{turnPort}"],
            Ice = true,
            Turn = new SipAccountTurnConfig { Servers = [$"turn:127.0.0.1:{turnPort}"], Username = CoturnRelay.Username, Password = CoturnRelay.Password },
        },
        rtpPortMin: 48200));

    /// <summary>
    /// The resident's side of offer/answer, written by hand: every offer has c=/m= at its media socket, which is also its
    /// one host candidate, with fixed ICE credentials, so the test can send checks itself. Answers are kept in order.
    /// </summary>
    private sealed class ScriptedIceOffer(IPEndPoint media) : IOfferAnswer
    {
        private readonly ConcurrentQueue<string> _answers = new();
        private readonly SemaphoreSlim _answered = new(0);
        private int _version;

        public string CreateOffer(bool hold) =>
            $"v=0\r\no=resident 1 {++_version} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
            $"m=audio {media.Port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
            $"a=ice-ufrag:{ResidentUfrag}\r\na=ice-pwd:{ResidentIcePassword}\r\n" +
            $"a=candidate:1 1 UDP 2130706431 127.0.0.1 {media.Port} typ host\r\na=rtcp-mux\r\na={(hold ? "sendonly" : "sendrecv")}\r\n";

        public OfferAnswerOutcome AnswerOffer(string offer) => OfferAnswerOutcome.Refused("the resident makes the offers here");

        public OfferAnswerOutcome ApplyAnswer(string answer)
        {
            _answers.Enqueue(answer);
            _answered.Release();
            return OfferAnswerOutcome.Accepted(null, peerHolds: false);
        }

        public async Task<string> NextAnswerAsync(TimeSpan timeout)
        {
            if (!await _answered.WaitAsync(timeout))
            {
                throw new TimeoutException("no answer from the station");
            }

            return _answers.TryDequeue(out string? answer) ? answer : throw new InvalidOperationException("an answer was signalled but not kept");
        }
    }
}
