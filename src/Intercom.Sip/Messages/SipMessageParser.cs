using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace Intercom.Sip.Messages;

/// <summary>
/// Parses one whole SIP message (a UDP datagram, or a message the stream transport has framed) from bytes
/// (RFC 3261 §7, grammar of §25). Liberal where RFC 3261 and RFC 4475 allow (compact and any-case names, folded
/// lines, LWS around separators, leading CRLFs, LF-only line ends, a missing Content-Length over datagrams), and
/// precise when it refuses: the error names the header and the fault. Never throws for bad input; every loop
/// is bounded by <see cref="SipLimits"/> and linear in the input.
/// </summary>
public static class SipMessageParser
{
    /// <summary>Parses <paramref name="data"/> with <see cref="SipLimits.Default"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out SipMessage? message, out SipParseError error) =>
        TryParse(data, SipLimits.Default, out message, out error);

    /// <summary>Parses <paramref name="data"/>; on failure <paramref name="error"/> says what is wrong and what a 400 needs.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, SipLimits limits, [NotNullWhen(true)] out SipMessage? message, out SipParseError error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var state = new ParseState(limits);
        message = state.Run(data);
        error = message is null ? state.BuildError() : SipParseError.None;
        return message is not null;
    }

    private sealed class ParseState(SipLimits limits)
    {
        private readonly SipHeaders _headers = new(24);
        private string? _reason;
        private string? _errorHeader;
        private int _status = 400;
        private bool _isRequest;
        private string? _method;
        private SipUri? _requestUri;
        private int _statusCode;
        private string? _reasonPhrase;
        private byte[]? _scratch;

        public SipMessage? Run(ReadOnlySpan<byte> data)
        {
            try
            {
                return RunCore(data);
            }
            finally
            {
                if (_scratch is not null)
                {
                    ArrayPool<byte>.Shared.Return(_scratch);
                }
            }
        }

        private bool Fail(string reason, string? header = null, int status = 400)
        {
            // Only the first fault is reported: it is the one a reader of the message meets first.
            if (_reason is null)
            {
                _reason = reason;
                _errorHeader = header;
                _status = status;
            }

            return false;
        }

        private SipMessage? RunCore(ReadOnlySpan<byte> data)
        {
            if (data.Length > limits.MaxMessageSize)
            {
                Fail($"message of {data.Length} bytes exceeds the limit of {limits.MaxMessageSize} bytes", status: 513);
                return null;
            }

            // RFC 3261 §7.5: CRLFs before the start line are ignored (they are also keep-alives, RFC 5626 §3.5.1).
            int pos = 0;
            while (pos < data.Length && data[pos] is (byte)'\r' or (byte)'\n')
            {
                pos++;
            }

            if (pos == data.Length)
            {
                Fail("empty message");
                return null;
            }

            if (!TryReadLine(data, ref pos, out ReadOnlySpan<byte> startLine))
            {
                Fail("start line not terminated by CRLF");
                return null;
            }

            bool startOk = ParseStartLine(startLine);
            bool headersOk = ReadHeaders(data, ref pos, out bool fatal);
            if (fatal)
            {
                return null;
            }

            bool bodyOk = TryFrameBody(data[pos..], out ReadOnlySpan<byte> body);
            bool semanticsOk = CheckHeaders(out ParsedHeaders parsed);
            if (!startOk || !headersOk || !bodyOk || !semanticsOk)
            {
                return null;
            }

            byte[] bodyBytes = body.IsEmpty ? [] : body.ToArray();
            SipMessage message = _isRequest
                ? new SipRequest(_method!, _requestUri!, _headers, bodyBytes)
                : new SipResponse(_statusCode, _reasonPhrase, _headers, bodyBytes);
            message.SetParsed(parsed.Vias, parsed.From, parsed.To, parsed.CSeq,
                parsed.Contacts ?? (IReadOnlyList<SipNameAddress>)[], parsed.RecordRoutes ?? (IReadOnlyList<SipNameAddress>)[], parsed.Routes ?? (IReadOnlyList<SipNameAddress>)[]);
            return message;
        }

        /// <summary>Reads up to LF; strips the CR of CRLF. Bare LF is accepted as a line end (liberal), bare CR is not.</summary>
        private static bool TryReadLine(ReadOnlySpan<byte> data, ref int pos, out ReadOnlySpan<byte> line)
        {
            int nl = data[pos..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                line = data[pos..];
                pos = data.Length;
                return false;
            }

            line = data.Slice(pos, nl);
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            pos += nl + 1;
            return true;
        }

        private bool ParseStartLine(ReadOnlySpan<byte> line)
        {
            if (line.Length >= 4 && Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8))
            {
                return ParseStatusLine(line);
            }

            _isRequest = true;
            return ParseRequestLine(line);
        }

        private bool ParseStatusLine(ReadOnlySpan<byte> line)
        {
            // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
            int sp = line.IndexOf((byte)' ');
            ReadOnlySpan<byte> version = sp < 0 ? line : line[..sp];
            if (!Ascii.EqualsIgnoreCase(version, "SIP/2.0"u8))
            {
                return Fail($"status line: unsupported version {Printable(version)}", status: 505);
            }

            if (sp < 0)
            {
                return Fail("status line: no status code");
            }

            ReadOnlySpan<byte> rest = line[(sp + 1)..];
            int digits = 0;
            while (digits < rest.Length && (uint)(rest[digits] - '0') <= 9)
            {
                digits++;
            }

            if (digits != 3 || (digits < rest.Length && rest[digits] != ' '))
            {
                int end = rest.IndexOf((byte)' ');
                return Fail($"status line: status code \"{Printable(end < 0 ? rest : rest[..end])}\" is not three digits");
            }

            _statusCode = ((rest[0] - '0') * 100) + ((rest[1] - '0') * 10) + (rest[2] - '0');
            if (_statusCode is < 100 or > 699)
            {
                // RFC 3261 §7.2 defines the classes 1xx–6xx; RFC 4475 §3.1.2.19: anything else is dropped.
                return Fail($"status line: status code {_statusCode} is outside 100-699");
            }

            // Reason-Phrase may be empty, and then the SP before it may be missing too (RFC 4475 §3.1.1.13).
            ReadOnlySpan<byte> reason = digits < rest.Length ? rest[(digits + 1)..] : [];
            if (!TryDecodeText(reason, out _reasonPhrase, out string? why))
            {
                return Fail("status line: reason phrase " + why);
            }

            return true;
        }

        private bool ParseRequestLine(ReadOnlySpan<byte> line)
        {
            // Request-Line = Method SP Request-URI SP SIP-Version CRLF: exactly two single spaces (RFC 4475 §3.1.2.9/10).
            int sp1 = line.IndexOf((byte)' ');
            if (sp1 <= 0)
            {
                return Fail("request line: expected \"Method SP Request-URI SP SIP-Version\"");
            }

            ReadOnlySpan<byte> methodBytes = line[..sp1];
            if (!SipGrammar.IsToken(methodBytes))
            {
                return Fail($"request line: method \"{Printable(methodBytes)}\" is not a token");
            }

            _method = SipMethods.Known(methodBytes) ?? Encoding.ASCII.GetString(methodBytes);
            if (line[^1] is (byte)' ' or (byte)'\t')
            {
                return Fail("request line: whitespace after the SIP version");
            }

            int sp2 = line.LastIndexOf((byte)' ');
            if (sp2 == sp1)
            {
                return Fail("request line: expected \"Method SP Request-URI SP SIP-Version\"");
            }

            ReadOnlySpan<byte> uriBytes = line[(sp1 + 1)..sp2];
            ReadOnlySpan<byte> version = line[(sp2 + 1)..];
            if (uriBytes.IsEmpty || uriBytes[0] == ' ' || uriBytes[^1] == ' ')
            {
                return Fail("request line: more than one SP between elements");
            }

            bool ok = true;
            if (!Ascii.EqualsIgnoreCase(version, "SIP/2.0"u8))
            {
                // A well-formed other version gets 505 Version Not Supported (RFC 3261 §21.5.6, RFC 4475 §3.1.2.16).
                ok = IsSipVersion(version)
                    ? Fail($"unsupported SIP version {Printable(version)}", status: 505)
                    : Fail($"request line: malformed SIP version \"{Printable(version)}\"");
            }

            if (uriBytes.IndexOfAny((byte)' ', (byte)'\t') >= 0)
            {
                return Fail("Request-URI contains whitespace");
            }

            if (uriBytes[0] == '<')
            {
                return Fail("Request-URI must not be enclosed in <>");
            }

            if (!Ascii.IsValid(uriBytes))
            {
                return Fail("Request-URI contains non-ASCII octets");
            }

            if (!SipUri.TryParse(Encoding.ASCII.GetString(uriBytes), limits, out _requestUri, out string? uriError))
            {
                return Fail("Request-URI: " + uriError);
            }

            if (_requestUri.IsSip && _requestUri.Headers.Count > 0)
            {
                // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
                return Fail("Request-URI must not contain headers");
            }

            return ok;
        }

        private static bool IsSipVersion(ReadOnlySpan<byte> v)
        {
            // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT
            if (v.Length < 7 || !Ascii.EqualsIgnoreCase(v[..4], "SIP/"u8))
            {
                return false;
            }

            int dot = v.IndexOf((byte)'.');
            return dot > 4 && dot < v.Length - 1 && IsDigits(v[4..dot]) && IsDigits(v[(dot + 1)..]);
        }

        private static bool IsDigits(ReadOnlySpan<byte> s) => !s.IsEmpty && s.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

        private bool ReadHeaders(ReadOnlySpan<byte> data, ref int pos, out bool fatal)
        {
            fatal = false;
            bool ok = true;
            while (true)
            {
                if (pos >= data.Length && pos > 0 && data[pos - 1] == '\n')
                {
                    // The datagram ends right after a complete header line: the empty line is missing, but the
                    // datagram itself frames the message, so it is read as having no body (liberal; RFC 4475
                    // §3.1.2.15's archived message and RFC 5118 §4.10's end this way).
                    return ok;
                }

                if (pos >= data.Length)
                {
                    return Fail("headers not terminated by an empty line");
                }

                int lineStart = pos;
                if (!TryReadLine(data, ref pos, out ReadOnlySpan<byte> line))
                {
                    return Fail("headers not terminated by an empty line");
                }

                if (line.IsEmpty)
                {
                    return ok;
                }

                if (line[0] is (byte)' ' or (byte)'\t')
                {
                    ok = Fail("folded line before the first header");
                    continue;
                }

                // RFC 3261 §7.3.1: a line starting with SP/HT continues the previous one. Look ahead for them.
                int physicalEnd = pos;
                int continuations = 0;
                while (physicalEnd < data.Length && data[physicalEnd] is (byte)' ' or (byte)'\t')
                {
                    int nl = data[physicalEnd..].IndexOf((byte)'\n');
                    physicalEnd = nl < 0 ? data.Length : physicalEnd + nl + 1;
                    continuations++;
                }

                if (physicalEnd - lineStart > limits.MaxHeaderLength)
                {
                    fatal = true;
                    return Fail($"header field longer than {limits.MaxHeaderLength} bytes");
                }

                if (_headers.Count >= limits.MaxHeaderCount)
                {
                    fatal = true;
                    return Fail($"more than {limits.MaxHeaderCount} header fields", status: 513);
                }

                ReadOnlySpan<byte> logical = line;
                if (continuations > 0)
                {
                    logical = Unfold(data[lineStart..physicalEnd]);
                    pos = physicalEnd;
                }

                ok &= AddHeaderLine(logical);
            }
        }

        /// <summary>Joins a folded header into the scratch buffer, each fold (CRLF plus surrounding whitespace) becoming one SP.</summary>
        private ReadOnlySpan<byte> Unfold(ReadOnlySpan<byte> raw)
        {
            _scratch ??= ArrayPool<byte>.Shared.Rent(limits.MaxHeaderLength);
            Span<byte> output = _scratch;
            int n = 0;
            int pos = 0;
            while (pos < raw.Length)
            {
                int nl = raw[pos..].IndexOf((byte)'\n');
                ReadOnlySpan<byte> piece = nl < 0 ? raw[pos..] : raw.Slice(pos, nl);
                pos = nl < 0 ? raw.Length : pos + nl + 1;
                piece = piece.TrimEnd((byte)'\r');
                if (n > 0)
                {
                    while (n > 0 && output[n - 1] is (byte)' ' or (byte)'\t')
                    {
                        n--;
                    }

                    piece = piece.TrimStart(" \t"u8);
                    output[n++] = (byte)' ';
                }

                piece.CopyTo(output[n..]);
                n += piece.Length;
            }

            return output[..n];
        }

        private bool AddHeaderLine(ReadOnlySpan<byte> line)
        {
            // message-header = field-name HCOLON field-value; HCOLON = *( SP / HTAB ) ":" SWS
            int colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                return Fail($"header line without ':' (\"{Printable(line)}\")");
            }

            ReadOnlySpan<byte> nameBytes = line[..colon].TrimEnd(" \t"u8);
            if (!SipGrammar.IsToken(nameBytes))
            {
                return Fail($"invalid header name \"{Printable(nameBytes)}\"");
            }

            string name = SipHeaderNames.Intern(nameBytes) ?? Encoding.ASCII.GetString(nameBytes);
            ReadOnlySpan<byte> valueBytes = line[(colon + 1)..].Trim(" \t"u8);
            if (!TryDecodeText(valueBytes, out string? value, out string? why))
            {
                // The line is not kept: an error response must never copy control characters back (RFC 3261 §8.2.6).
                return Fail($"{SipHeaderNames.Canonical(name)}: value {why}", SipHeaderNames.Canonical(name));
            }

            _headers.AddParsed(name, value);
            return true;
        }

        /// <summary>
        /// Decodes header or reason text: UTF-8 only (RFC 3261 §25.1 UTF8-NONASCII is well-formed UTF-8), and no
        /// control characters except HT, or after a backslash (a quoted-pair may escape them).
        /// </summary>
        private static bool TryDecodeText(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out string? text, [NotNullWhen(false)] out string? why)
        {
            text = null;

            // Vectorised search for the rare control characters; each hit is then judged on its own.
            // Both searches only move forward, so a value full of tabs stays linear.
            int offset = 0;
            int del = bytes.IndexOf((byte)0x7F);
            while (offset < bytes.Length)
            {
                if (del >= 0 && del < offset)
                {
                    int next = bytes[offset..].IndexOf((byte)0x7F);
                    del = next < 0 ? -1 : offset + next;
                }

                int control = bytes[offset..].IndexOfAnyInRange((byte)0x00, (byte)0x1F);
                int i = control < 0 ? del : (del >= 0 && del < offset + control ? del : offset + control);
                if (i < 0)
                {
                    break;
                }

                byte b = bytes[i];
                if (b != '\t' && (i == 0 || bytes[i - 1] != '\\' || b is (byte)'\r' or (byte)'\n'))
                {
                    why = $"contains control character 0x{b:X2}";
                    return false;
                }

                offset = i + 1;
            }

            if (!Utf8.IsValid(bytes))
            {
                why = "is not valid UTF-8";
                return false;
            }

            why = null;
            text = bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
            return true;
        }

        private bool TryFrameBody(ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> body)
        {
            body = rest;
            string? first = null;
            for (int i = _headers.IndexOf(SipHeaderNames.ContentLength, 0); i >= 0; i = _headers.IndexOf(SipHeaderNames.ContentLength, i + 1))
            {
                string value = _headers[i].Value;
                if (first is null)
                {
                    first = value;
                }
                else if (value != first)
                {
                    // RFC 4475 §3.3.9: conflicting values frame nothing; the datagram's remainder is kept and the
                    // request validator answers 400 (over a stream the transport must close the connection).
                    return true;
                }
            }

            if (first is null)
            {
                // RFC 3261 §18.3: without Content-Length (allowed over UDP) the body runs to the end of the datagram.
                return true;
            }

            ReadOnlySpan<char> s = first.AsSpan().Trim();
            if (s.IsEmpty || s.Length > 10 || s.IndexOfAnyExceptInRange('0', '9') >= 0 || !long.TryParse(s, out long length))
            {
                return Fail($"Content-Length: \"{SipParameters.Excerpt(s)}\" is not a non-negative integer", SipHeaderNames.ContentLength);
            }

            if (length > rest.Length)
            {
                return Fail($"Content-Length: {length} is larger than the {rest.Length} bytes of body received", SipHeaderNames.ContentLength);
            }

            // RFC 3261 §18.3: octets beyond Content-Length in a datagram are discarded (RFC 4475 §3.1.1.8).
            body = rest[..(int)length];
            return true;
        }

        private bool CheckHeaders(out ParsedHeaders parsed)
        {
            parsed = new ParsedHeaders();
            bool ok = true;
            var elements = new List<string>();
            foreach (SipHeader header in _headers)
            {
                string name = SipHeaderNames.Canonical(header.Name);
                string? error = null;
                switch (name)
                {
                    case SipHeaderNames.Via:
                        error = SplitElements(header.Value, elements);
                        foreach (string element in elements)
                        {
                            if (error is not null)
                            {
                                break;
                            }

                            if (SipVia.TryParse(element, limits, out SipVia? via, out string? viaError))
                            {
                                parsed.Vias.Add(via);
                            }
                            else
                            {
                                error = viaError;
                            }
                        }

                        break;
                    case SipHeaderNames.From:
                        error = ParseAddress(header.Value, ref parsed.From);
                        break;
                    case SipHeaderNames.To:
                        error = ParseAddress(header.Value, ref parsed.To);
                        break;
                    case SipHeaderNames.Contact:
                        if (header.Value == "*")
                        {
                            break;
                        }

                        error = ParseAddresses(header.Value, elements, ref parsed.Contacts);
                        break;
                    case SipHeaderNames.Route:
                        error = ParseAddresses(header.Value, elements, ref parsed.Routes);
                        break;
                    case SipHeaderNames.RecordRoute:
                        error = ParseAddresses(header.Value, elements, ref parsed.RecordRoutes);
                        break;
                    case SipHeaderNames.CSeq:
                        if (!SipCSeq.TryParse(header.Value, out SipCSeq? cseq, out string? cseqError))
                        {
                            error = cseqError;
                        }
                        else if (parsed.CSeq is null)
                        {
                            parsed.CSeq = cseq;
                            if (_isRequest && _method is not null && cseq.Value.Method != _method)
                            {
                                // RFC 4475 §3.1.2.18: for an unknown method, 501 says more than 400.
                                ok = Fail($"CSeq: method {cseq.Value.Method} does not match request method {_method}", SipHeaderNames.CSeq,
                                    SipMethods.IsKnown(_method) ? 400 : 501);
                            }
                        }

                        break;
                    case SipHeaderNames.CallId:
                        error = CheckCallId(header.Value);
                        break;
                    case SipHeaderNames.MaxForwards:
                        error = CheckNumber(header.Value, 255);
                        break;
                    case SipHeaderNames.Expires:
                        // RFC 4475 §3.1.2.4: an overlarge Expires may be treated as the default, so only syntax is checked.
                        error = CheckNumber(header.Value, long.MaxValue);
                        break;
                    case SipHeaderNames.Date:
                        error = SipDate.Check(header.Value);
                        break;
                    default:
                        break;
                }

                if (error is not null)
                {
                    ok = Fail($"{name}: {error}", name);
                }
            }

            return ok;
        }

        private string? SplitElements(string value, List<string> elements)
        {
            elements.Clear();
            int empty = SipHeaders.SplitList(value, elements, limits.MaxHeaderElements + 1);
            if (elements.Count > limits.MaxHeaderElements)
            {
                return $"more than {limits.MaxHeaderElements} values";
            }

            return empty > 0 ? "empty value between commas" : null;
        }

        private string? ParseAddress(string value, ref SipNameAddress? target)
        {
            if (!SipNameAddress.TryParse(value, limits, out SipNameAddress? address, out string? error))
            {
                return error;
            }

            target ??= address;
            return null;
        }

        private string? ParseAddresses(string value, List<string> elements, ref List<SipNameAddress>? into)
        {
            string? error = SplitElements(value, elements);
            if (error is not null)
            {
                return error;
            }

            foreach (string element in elements)
            {
                if (!SipNameAddress.TryParse(element, limits, out SipNameAddress? address, out error))
                {
                    return error;
                }

                (into ??= []).Add(address);
            }

            return null;
        }

        private static string? CheckCallId(string value)
        {
            // callid = word [ "@" word ]
            int at = value.IndexOf('@');
            if (value.Length == 0 || at == 0 || at == value.Length - 1 || (at > 0 && value.IndexOf('@', at + 1) >= 0))
            {
                return "expected word[@word]";
            }

            foreach (char c in value)
            {
                if (c != '@' && !SipGrammar.IsWordChar(c))
                {
                    return $"character '{c}' not allowed";
                }
            }

            return null;
        }

        private static string? CheckNumber(string value, long max)
        {
            ReadOnlySpan<char> s = value.AsSpan();
            if (s.IsEmpty || s.IndexOfAnyExceptInRange('0', '9') >= 0)
            {
                return $"\"{SipParameters.Excerpt(s)}\" is not a number";
            }

            ReadOnlySpan<char> significant = s.TrimStart('0');
            if (significant.Length > 18 || (significant.Length > 0 && long.Parse(significant, System.Globalization.CultureInfo.InvariantCulture) > max))
            {
                return max == long.MaxValue ? null : $"{SipParameters.Excerpt(s)} is larger than {max}";
            }

            return null;
        }

        public SipParseError BuildError()
        {
            string? topVia = _headers.Get(SipHeaderNames.Via);
            SipVia? via = null;
            if (topVia is not null && !SipVia.TryParse(topVia, limits, out via, out _))
            {
                // Enough to answer even when a parameter is malformed (RFC 4475 §3.1.2.1): sent-protocol and sent-by.
                int semi = topVia.IndexOf(';');
                if (semi > 0)
                {
                    SipVia.TryParse(topVia.AsSpan(0, semi), limits, out via, out _);
                }
            }

            return new SipParseError(_reason ?? "malformed message")
            {
                HeaderName = _errorHeader,
                StatusCode = _status,
                IsRequest = _isRequest,
                Method = _method,
                Vias = _headers.GetLines(SipHeaderNames.Via),
                From = FirstLine(SipHeaderNames.From),
                To = FirstLine(SipHeaderNames.To),
                CallId = FirstLine(SipHeaderNames.CallId),
                CSeq = FirstLine(SipHeaderNames.CSeq),
                TopVia = via,
            };
        }

        private string? FirstLine(string name)
        {
            int i = _headers.IndexOf(name, 0);
            return i < 0 ? null : _headers[i].Value;
        }

        private static string Printable(ReadOnlySpan<byte> bytes)
        {
            ReadOnlySpan<byte> shown = bytes.Length <= 40 ? bytes : bytes[..40];
            var sb = new StringBuilder(shown.Length + 3);
            foreach (byte b in shown)
            {
                sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
            }

            if (shown.Length < bytes.Length)
            {
                sb.Append("...");
            }

            return sb.ToString();
        }
    }

    private sealed class ParsedHeaders
    {
        public List<SipVia> Vias { get; } = [];
#pragma warning disable SA1401, CA1051 // Fields so the parser can pass them by reference; lists are made when needed.
        public List<SipNameAddress>? Contacts;
        public List<SipNameAddress>? Routes;
        public List<SipNameAddress>? RecordRoutes;
        public SipNameAddress? From;
        public SipNameAddress? To;
#pragma warning restore SA1401, CA1051
        public SipCSeq? CSeq { get; set; }
    }
}
