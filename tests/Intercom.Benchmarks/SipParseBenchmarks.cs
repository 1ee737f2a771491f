using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Intercom.Sip.Messages;

namespace Intercom.Benchmarks;

/// <summary>Parsing and writing a typical INVITE with an SDP offer (the message every call starts with).</summary>
[MemoryDiagnoser]
public class SipParseBenchmarks
{
    private const string Sdp =
        "v=0\r\n" +
        "o=door 2890844526 2890844526 IN IP4 192.0.2.10\r\n" +
        "s=-\r\n" +
        "c=IN IP4 192.0.2.10\r\n" +
        "t=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-16\r\n" +
        "a=ptime:20\r\n" +
        "a=sendrecv\r\n";

    private static readonly string Invite =
        "INVITE sip:resident@192.0.2.20:5060;transport=udp SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---77ba97d5a6a3f1ac;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "Contact: <sip:door@192.0.2.10:5060;transport=udp>\r\n" +
        "To: \"Resident\" <sip:resident@example.com>\r\n" +
        "From: \"Front Door\" <sip:door@example.com>;tag=a73kszlfl\r\n" +
        "Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY, REFER\r\n" +
        "Supported: replaces, timer\r\n" +
        "User-Agent: Intercom/0.1\r\n" +
        "Content-Type: application/sdp\r\n" +
        $"Content-Length: {Sdp.Length}\r\n" +
        "\r\n" + Sdp;

    private readonly byte[] _bytes = Encoding.ASCII.GetBytes(Invite);
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private SipMessage _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        if (!SipMessageParser.TryParse(_bytes, out SipMessage? message, out SipParseError error))
        {
            throw new InvalidOperationException(error.Reason);
        }

        _message = message;
    }

    [Benchmark]
    public SipMessage? ParseInvite()
    {
        SipMessageParser.TryParse(_bytes, out SipMessage? message, out _);
        return message;
    }

    [Benchmark]
    public int WriteInvite()
    {
        _buffer.ResetWrittenCount();
        return SipMessageWriter.Write(_message, _buffer);
    }

    [Benchmark]
    public byte[] WriteInviteToArray() => SipMessageWriter.ToBytes(_message);
}
