using System.Buffers;
using System.Globalization;
using System.Text;

namespace Intercom.Sip.Messages;

/// <summary>
/// Serialises messages strictly (RFC 3261 §7; "strict in what you send"): canonical long header names, one line
/// per header, no folding, CRLF line ends, and a Content-Length that matches the body (required over streams, §18.3).
/// </summary>
public static class SipMessageWriter
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The message as a new byte array of exactly its size.</summary>
    public static byte[] ToBytes(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string startLine = StartLine(message);
        byte[] result = new byte[Measure(message, startLine)];
        int written = WriteTo(message, startLine, result);
        return written == result.Length ? result : result[..written];
    }

    /// <summary>Writes the message to <paramref name="writer"/>; returns the number of bytes written.</summary>
    public static int Write(SipMessage message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(writer);
        string startLine = StartLine(message);
        int size = Measure(message, startLine);
        Span<byte> span = writer.GetSpan(size);
        int written = WriteTo(message, startLine, span);
        writer.Advance(written);
        return written;
    }

    private static string StartLine(SipMessage message) => message switch
    {
        SipRequest r => $"{r.Method} {r.RequestUri} {SipMessage.SipVersion}",
        SipResponse r => $"{SipMessage.SipVersion} {r.StatusCode.ToString(CultureInfo.InvariantCulture)} {r.ReasonPhrase}",
        _ => throw new ArgumentException("Unknown message type.", nameof(message)),
    };

    private static int Measure(SipMessage message, string startLine)
    {
        int size = Utf8.GetByteCount(startLine) + 2;
        foreach (SipHeader h in message.Headers)
        {
            if (SipHeaderNames.Matches(h.Name, SipHeaderNames.ContentLength))
            {
                continue;
            }

            size += Utf8.GetByteCount(SipHeaderNames.Canonical(h.Name)) + 2 + Utf8.GetByteCount(h.Value) + 2;
        }

        size += SipHeaderNames.ContentLength.Length + 2 + 10 + 2;
        return size + 2 + message.Body.Length;
    }

    private static int WriteTo(SipMessage message, string startLine, Span<byte> output)
    {
        int n = Utf8.GetBytes(startLine, output);
        n += Crlf(output[n..]);
        foreach (SipHeader h in message.Headers)
        {
            if (SipHeaderNames.Matches(h.Name, SipHeaderNames.ContentLength))
            {
                continue;
            }

            n += Utf8.GetBytes(SipHeaderNames.Canonical(h.Name), output[n..]);
            output[n++] = (byte)':';
            output[n++] = (byte)' ';
            n += Utf8.GetBytes(h.Value, output[n..]);
            n += Crlf(output[n..]);
        }

        n += Utf8.GetBytes(SipHeaderNames.ContentLength, output[n..]);
        output[n++] = (byte)':';
        output[n++] = (byte)' ';
        message.Body.Length.TryFormat(output[n..], out int digits, default, CultureInfo.InvariantCulture);
        n += digits;
        n += Crlf(output[n..]);
        n += Crlf(output[n..]);
        message.Body.Span.CopyTo(output[n..]);
        return n + message.Body.Length;
    }

    private static int Crlf(Span<byte> output)
    {
        output[0] = (byte)'\r';
        output[1] = (byte)'\n';
        return 2;
    }
}
