using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Intercom.Security.Tests.Harness;

/// <summary>
/// An attacker's SIP phone on a raw UDP socket bound to an address of its choice (any loopback address stands for "a host
/// on the home network"): it sends an INVITE with whatever From it likes, and when the station answers it ACKs and keys
/// digits as SIP INFO (application/dtmf-relay) in the dialog — what a door-code guesser needs and nothing more.
/// </summary>
public sealed partial class SipAttacker : IDisposable
{
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(5);
    private readonly Socket _socket;
    private readonly IPEndPoint _station;
    private readonly IPEndPoint _local;
    private readonly List<string> _received = [];

    public SipAttacker(string bindAddress, IPEndPoint station)
    {
        _station = station;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Parse(bindAddress), 0));
        _local = (IPEndPoint)_socket.LocalEndPoint!;
    }

    /// <summary>Every message the station sent to this socket, in order.</summary>
    public IReadOnlyList<string> Received => _received;

    /// <summary>
    /// Sends an INVITE claiming <paramref name="from"/> and returns the station's final response (or null when none came
    /// within 5 s). A 2xx is ACKed, so the call is up for <see cref="SendInfoDigitsAsync"/>.
    /// </summary>
    public async Task<Attempt> InviteAsync(string from)
    {
        var attempt = new Attempt(this, from, "attack-" + Hex(8) + "@" + _local.Address, Hex(4));
        var sdp = $"v=0\r\no=- 1 1 IN IP4 {_local.Address}\r\ns=-\r\nc=IN IP4 {_local.Address}\r\nt=0 0\r\n"
            + "m=audio 49170 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n";
        var invite = $"INVITE sip:door@{_station} SIP/2.0\r\nVia: SIP/2.0/UDP {_local};branch=z9hG4bK{Hex(6)};rport\r\nMax-Forwards: 70\r\n"
            + $"From: <{from}>;tag={attempt.FromTag}\r\nTo: <sip:door@{_station}>\r\nCall-ID: {attempt.CallId}\r\nCSeq: 1 INVITE\r\n"
            + $"Contact: <sip:attacker@{_local}>\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
        await SendAsync(invite).ConfigureAwait(false);
        attempt.Final = await ReceiveFinalAsync(attempt.CallId, "INVITE").ConfigureAwait(false);
        if (attempt.Final is { } final && StatusOf(final) is >= 200 and < 300)
        {
            attempt.ToTag = ToTag().Match(final).Groups[1].Value;
            attempt.Target = ContactUri().Match(final) is { Success: true } contact ? contact.Groups[1].Value : $"sip:door@{_station}";
            await SendAsync(attempt.InDialog("ACK", 1, Hex(6), null)).ConfigureAwait(false);
        }

        return attempt;
    }

    /// <summary>The status code of a response text, or 0.</summary>
    public static int StatusOf(string? response) =>
        response is not null && StatusLine().Match(response) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    /// <summary>The status line and the header names in order: what a stranger can compare between two answers.</summary>
    public static string Shape(string? response) => response is null ? "(no answer)" :
        string.Join("\n", response.Split("\r\n").TakeWhile(l => l.Length > 0).Select((l, i) => i == 0 ? l : l[..Math.Max(0, l.IndexOf(':', StringComparison.Ordinal))]));

    public void Dispose() => _socket.Dispose();

    private async Task SendAsync(string message) =>
        await _socket.SendToAsync(Encoding.UTF8.GetBytes(message), _station).ConfigureAwait(false);

    private async Task<string?> ReceiveFinalAsync(string callId, string method)
    {
        var buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(AnswerWait);
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                var text = Encoding.UTF8.GetString(buffer, 0, received);
                lock (_received)
                {
                    _received.Add(text);
                }

                if (text.StartsWith("SIP/2.0 ", StringComparison.Ordinal) && StatusOf(text) >= 200
                    && text.Contains(callId, StringComparison.Ordinal) && CSeqMethod().Match(text).Groups[1].Value == method)
                {
                    return text;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    [GeneratedRegex(@"^SIP/2\.0 (\d{3}) ")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"(?im)^(?:To|t):[^\r\n]*;tag=([^;\s>]+)")]
    private static partial Regex ToTag();

    [GeneratedRegex(@"(?im)^(?:Contact|m):[^<\r\n]*<([^>]+)>")]
    private static partial Regex ContactUri();

    [GeneratedRegex(@"(?im)^CSeq:\s*\d+\s+(\w+)")]
    private static partial Regex CSeqMethod();

    /// <summary>One forged call: what was claimed and what the station answered.</summary>
    public sealed class Attempt(SipAttacker owner, string from, string callId, string fromTag)
    {
        public string From { get; } = from;

        public string CallId { get; } = callId;

        public string FromTag { get; } = fromTag;

        /// <summary>The station's final response to the INVITE; null when none came.</summary>
        public string? Final { get; internal set; }

        public int Status => StatusOf(Final);

        public bool Answered => Status is >= 200 and < 300;

        internal string? ToTag { get; set; }

        internal string? Target { get; set; }

        /// <summary>
        /// Keys <paramref name="digits"/> as SIP INFO in the answered call (one request per digit, each waiting for its
        /// answer); returns the status of each. Nothing is sent for a call that was not answered.
        /// </summary>
        public async Task<IReadOnlyList<int>> SendInfoDigitsAsync(string digits)
        {
            var statuses = new List<int>();
            if (!Answered)
            {
                return statuses;
            }

            for (var i = 0; i < digits.Length; i++)
            {
                var body = $"Signal={digits[i]}\r\nDuration=160\r\n";
                await owner.SendAsync(InDialog("INFO", 2 + i, Hex(6), ("application/dtmf-relay", body))).ConfigureAwait(false);
                statuses.Add(StatusOf(await owner.ReceiveFinalAsync(CallId, "INFO").ConfigureAwait(false)));
            }

            return statuses;
        }

        /// <summary>Ends an answered call (BYE), so the station is free for the next test step.</summary>
        public async Task HangUpAsync()
        {
            if (Answered)
            {
                await owner.SendAsync(InDialog("BYE", 100, Hex(6), null)).ConfigureAwait(false);
                await owner.ReceiveFinalAsync(CallId, "BYE").ConfigureAwait(false);
            }
        }

        internal string InDialog(string method, int cseq, string branch, (string Type, string Body)? content)
        {
            var (type, body) = content ?? ("", "");
            var typeHeader = content is null ? "" : $"Content-Type: {type}\r\n";
            return $"{method} {Target} SIP/2.0\r\nVia: SIP/2.0/UDP {owner._local};branch=z9hG4bK{branch};rport\r\nMax-Forwards: 70\r\n"
                + $"From: <{From}>;tag={FromTag}\r\nTo: <sip:door@{owner._station}>;tag={ToTag}\r\nCall-ID: {CallId}\r\n"
                + string.Create(CultureInfo.InvariantCulture, $"CSeq: {cseq} {method}\r\n")
                + $"Contact: <sip:attacker@{owner._local}>\r\n{typeHeader}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
        }
    }
}
