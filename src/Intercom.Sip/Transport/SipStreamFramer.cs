namespace Intercom.Sip.Transport;

/// <summary>
/// Splits a byte stream (TCP, TLS) into SIP messages by Content-Length (RFC 3261 §18.3) and recognises RFC 5626 §3.5.1
/// CRLF keepalives between messages. Bytes are written into <see cref="GetWriteMemory"/>, committed with
/// <see cref="Advance"/>, then frames are taken with <see cref="TryReadFrame"/>. The buffer starts small
/// (<see cref="InitialBufferBytes"/>) and grows only while one incomplete frame needs it, at most to the largest
/// message accepted (headers + body limits); once it is empty again it goes back to the small size. So an idle or
/// chatty connection costs a few KiB, not the largest message, and a peer must actually send a large message to make
/// its connection hold a large buffer. No allocation per message otherwise. Not thread-safe: one framer per connection,
/// used by that connection's reader.
/// </summary>
public sealed class SipStreamFramer
{
    /// <summary>The buffer a framer starts with (and returns to when empty): a few typical SIP messages.</summary>
    public const int InitialBufferBytes = 4096;

    private readonly int _maxHeaderBytes;
    private readonly int _maxBodyBytes;
    private readonly int _maxBufferBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;

    // The length of the frame being read, once its headers are in (0: not known): the buffer grows to it in one step.
    private int _needed;

    // Set after a lone CRLF was reported as a pong at the end of the data so far: a CRLF arriving next completes a
    // ping that was split across reads.
    private bool _pendingCrlf;

    /// <summary>Creates a framer.</summary>
    /// <param name="maxHeaderBytes">Largest start line + headers (including the blank line) accepted.</param>
    /// <param name="maxBodyBytes">Largest Content-Length accepted.</param>
    public SipStreamFramer(int maxHeaderBytes = 16 * 1024, int maxBodyBytes = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeaderBytes, 64);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBodyBytes);
        _maxHeaderBytes = maxHeaderBytes;
        _maxBodyBytes = maxBodyBytes;
        _maxBufferBytes = maxHeaderBytes + maxBodyBytes;
        _buffer = new byte[Math.Min(InitialBufferBytes, _maxBufferBytes)];
    }

    /// <summary>Bytes received but not yet returned as frames.</summary>
    public int BufferedBytes => _end - _start;

    /// <summary>The buffer's size now (it grows on demand up to the header and body limits together).</summary>
    public int Capacity => _buffer.Length;

    /// <summary>
    /// Free space to read into, grown when the buffer is full of one incomplete frame. Empty only if the buffer is at
    /// its largest and full, which cannot happen within the limits because <see cref="TryReadFrame"/> reports
    /// <see cref="SipFrameKind.Malformed"/> first.
    /// </summary>
    public Memory<byte> GetWriteMemory()
    {
        Compact();
        if (_end == _buffer.Length || _needed > _buffer.Length)
        {
            Grow(Math.Max(_needed, _end + 1));
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into the memory from <see cref="GetWriteMemory"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>Copies <paramref name="data"/> in (for callers that do not read straight into the framer).</summary>
    /// <returns>False when the data does not fit: the stream is malformed.</returns>
    public bool Write(ReadOnlySpan<byte> data)
    {
        Compact();
        if ((long)_end + data.Length > _maxBufferBytes)
        {
            return false;
        }

        if (_end + data.Length > _buffer.Length)
        {
            Grow(_end + data.Length);
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
        return true;
    }

    /// <summary>
    /// Takes the next frame. For <see cref="SipFrameKind.Message"/>, <paramref name="message"/> is the whole message and
    /// stays valid until the next call to <see cref="GetWriteMemory"/>, <see cref="Write"/> or <see cref="TryReadFrame"/>.
    /// </summary>
    public SipFrameKind TryReadFrame(out ReadOnlySpan<byte> message)
    {
        message = default;
        var data = _buffer.AsSpan(_start, _end - _start);

        // RFC 5626 §3.5.1: CRLFs between messages are keepalives; RFC 3261 §7.5 says they are ignored otherwise.
        if (data.Length > 0 && (data[0] == (byte)'\r' || data[0] == (byte)'\n'))
        {
            return ReadKeepAlive(data);
        }

        if (data.IsEmpty)
        {
            // Nothing yet: a CRLF pending from the last read still waits for its second half (the reader asks again
            // until it gets NeedMoreData, so clearing it here lost every ping split in its middle across two reads).
            return SipFrameKind.NeedMoreData;
        }

        _pendingCrlf = false;
        _needed = 0;

        var headerEnd = FindHeaderEnd(data, out var separatorLength);
        if (headerEnd < 0)
        {
            return data.Length >= _maxHeaderBytes ? SipFrameKind.Malformed : SipFrameKind.NeedMoreData;
        }

        var headerLength = headerEnd + separatorLength;
        if (headerLength > _maxHeaderBytes)
        {
            return SipFrameKind.Malformed;
        }

        if (!TryGetContentLength(data[..headerEnd], out var bodyLength) || bodyLength > _maxBodyBytes)
        {
            return SipFrameKind.Malformed;
        }

        var total = headerLength + bodyLength;
        if (data.Length < total)
        {
            _needed = total;
            return SipFrameKind.NeedMoreData;
        }

        message = data[..total];
        _start += total;
        return SipFrameKind.Message;
    }

    private SipFrameKind ReadKeepAlive(ReadOnlySpan<byte> data)
    {
        // Accept bare LF too (be liberal, RFC 3261 §7): count line ends.
        var i = 0;
        var lineEnds = _pendingCrlf ? 1 : 0;
        while (i < data.Length && lineEnds < 2)
        {
            if (data[i] == (byte)'\r')
            {
                if (i + 1 >= data.Length)
                {
                    // A CR alone at the end of the data: wait for its LF.
                    return SipFrameKind.NeedMoreData;
                }

                i += data[i + 1] == (byte)'\n' ? 2 : 1;
                lineEnds++;
            }
            else if (data[i] == (byte)'\n')
            {
                i++;
                lineEnds++;
            }
            else
            {
                break;
            }
        }

        _start += i;
        if (lineEnds >= 2)
        {
            _pendingCrlf = false;
            return SipFrameKind.KeepAlivePing;
        }

        // One line end: a pong. If it is the end of the data so far, the next read may complete a split ping.
        _pendingCrlf = _start == _end;
        return SipFrameKind.KeepAlivePong;
    }

    private static int FindHeaderEnd(ReadOnlySpan<byte> data, out int separatorLength)
    {
        // The header block ends at the first empty line: CRLFCRLF, or LFLF from lenient peers.
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] != (byte)'\n')
            {
                continue;
            }

            if (i + 1 < data.Length && data[i + 1] == (byte)'\n')
            {
                separatorLength = 2;
                return i;
            }

            if (i + 2 < data.Length && data[i + 1] == (byte)'\r' && data[i + 2] == (byte)'\n')
            {
                separatorLength = 3;
                return i;
            }
        }

        separatorLength = 0;
        return -1;
    }

    /// <summary>
    /// Finds Content-Length (or compact "l", RFC 3261 §7.3.3) in a header block. Missing means 0 (be liberal); present
    /// twice with different values, or not a number, is malformed because the stream cannot be framed.
    /// </summary>
    internal static bool TryGetContentLength(ReadOnlySpan<byte> headers, out int length)
    {
        length = 0;
        var found = false;
        var firstLine = true;
        while (!headers.IsEmpty)
        {
            var lineEnd = headers.IndexOf((byte)'\n');
            var line = lineEnd < 0 ? headers : headers[..lineEnd];
            headers = lineEnd < 0 ? default : headers[(lineEnd + 1)..];
            if (firstLine)
            {
                firstLine = false;
                continue;
            }

            if (!TryMatchContentLengthName(line, out var rest))
            {
                continue;
            }

            rest = rest.Trim(" \t\r"u8);
            if (rest.IsEmpty || rest.Length > 9)
            {
                return false;
            }

            var value = 0;
            foreach (var b in rest)
            {
                if (b is < (byte)'0' or > (byte)'9')
                {
                    return false;
                }

                value = (value * 10) + (b - '0');
            }

            if (found && value != length)
            {
                return false;
            }

            found = true;
            length = value;
        }

        return true;
    }

    private static bool TryMatchContentLengthName(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> value)
    {
        value = default;
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        var name = line[..colon].TrimEnd(" \t"u8);
        if (!name.SequenceEqual("l"u8) && !name.SequenceEqual("L"u8) && !System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            return false;
        }

        value = line[(colon + 1)..];
        return true;
    }

    /// <summary>Grows the buffer to hold at least <paramref name="size"/> bytes: doubling, at most the limits.</summary>
    private void Grow(int size)
    {
        var target = Math.Min(_maxBufferBytes, Math.Max(size, _buffer.Length * 2));
        if (target <= _buffer.Length)
        {
            return;
        }

        var grown = new byte[target];
        _buffer.AsSpan(0, _end).CopyTo(grown);
        _buffer = grown;
    }

    private void Compact()
    {
        if (_start == _end && _buffer.Length > InitialBufferBytes)
        {
            // Empty after a large message: give the large buffer back.
            _buffer = new byte[InitialBufferBytes];
            _start = 0;
            _end = 0;
            return;
        }

        if (_start == 0)
        {
            return;
        }

        var length = _end - _start;
        if (length > 0)
        {
            _buffer.AsSpan(_start, length).CopyTo(_buffer);
        }

        _start = 0;
        _end = length;
    }
}
