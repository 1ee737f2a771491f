using System.Globalization;
using System.Text;
using CsCheck;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

/// <summary>
/// parse → write → parse over generated messages: random methods, URIs with parameters, headers and %-escapes,
/// names in long, compact and odd-case forms, comma-joined and folded list values, unknown headers and bodies.
/// The generated text is what a liberal peer may send; the parser must read the generated model out of it, the
/// writer must produce a strict message that reads back the same, and writing again must give the same bytes.
/// </summary>
public class SipRoundTripPropertyTests
{
    private const string TokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
    private const string UserChars = "abcxyzABC019-_.!~*'()&=+$,;?/ @:<>\"é%#";
    private const string ParamChars = "abcxyz019-_.!~*'()[]/:&+$ ;=?@é%";

    private sealed record UriCase(string Text, SipUri Expected);

    private sealed record MessageCase(string Text, string Method, UriCase RequestUri, string? FromName, UriCase From, string FromTag,
        UriCase To, IReadOnlyList<(string Transport, string Host, int? Port, string Branch)> Vias, string CallId, uint CSeq, int MaxForwards,
        IReadOnlyList<(string Name, string Value)> Extra, byte[] Body);

    private static readonly Gen<string> Token = Gen.Char[TokenChars].Array[1, 12].Select(c => new string(c));

    private static readonly Gen<string> Method = Gen.Frequency(
        (3, Gen.OneOfConst(SipMethods.Invite, SipMethods.Options, SipMethods.Register, SipMethods.Info, SipMethods.Bye, SipMethods.Message)),
        (1, Token));

    /// <summary>A component as (decoded value, one valid encoding of it): characters escaped at random when allowed unescaped, always when not.</summary>
    private static Gen<(string Value, string Text)> Escaped(string chars, Func<char, bool> allowed, int min, int max) =>
        Gen.Select(Gen.Char[chars], Gen.Bool).Array[min, max].Select(pairs =>
        {
            var value = new StringBuilder();
            var text = new StringBuilder();
            foreach ((char c, bool escape) in pairs)
            {
                value.Append(c);
                if (allowed(c) && !escape)
                {
                    text.Append(c);
                }
                else
                {
                    foreach (byte b in Encoding.UTF8.GetBytes(c.ToString()))
                    {
                        text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                    }
                }
            }

            return (value.ToString(), text.ToString());
        });

    private static bool UserAllowed(char c) => char.IsAsciiLetterOrDigit(c) || "-_.!~*'()&=+$,;?/".Contains(c, StringComparison.Ordinal);

    private static bool ParamAllowed(char c) => char.IsAsciiLetterOrDigit(c) || "-_.!~*'()[]/:&+$".Contains(c, StringComparison.Ordinal);

    private static bool HeaderAllowed(char c) => char.IsAsciiLetterOrDigit(c) || "-_.!~*'()[]/?:+$".Contains(c, StringComparison.Ordinal);

    private static readonly Gen<string> Host = Gen.OneOf(
        Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 8], Gen.OneOfConst("example.com", "example.net", "test", "EXAMPLE.org"),
            (label, domain) => new string(label) + "." + domain),
        Gen.Select(Gen.Int[0, 255], Gen.Int[0, 255], Gen.Int[0, 255], Gen.Int[1, 254], (a, b, c, d) => $"{a}.{b}.{c}.{d}"),
        Gen.OneOfConst("[2001:db8::1]", "[::1]", "[2001:db8:0:0:1:0:0:1]", "[::ffff:192.0.2.10]", "[fe80::1]"));

    private static readonly Gen<int?> Port = Gen.Frequency((1, Gen.Int[1, 65535].Select(p => (int?)p)), (1, Gen.Const((int?)null)));

    private static readonly Gen<UriCase> Uri =
        from secure in Gen.Bool
        from user in Gen.Frequency((4, Escaped(UserChars, UserAllowed, 1, 10).Select(u => ((string, string)?)u)), (1, Gen.Const(((string, string)?)null)))
        from password in Gen.Frequency((1, Escaped("abc12&=+$,%:@", c => char.IsAsciiLetterOrDigit(c) || "&=+$,".Contains(c, StringComparison.Ordinal), 0, 6).Select(p => ((string, string)?)p)), (4, Gen.Const(((string, string)?)null)))
        from host in Host
        from port in Port
        from parameters in Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz-"].Array[1, 8], Gen.Frequency((3, Escaped(ParamChars, ParamAllowed, 1, 8).Select(v => ((string, string)?)v)), (1, Gen.Const(((string, string)?)null)))).Array[0, 4]
        from headers in Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz"].Array[1, 6], Escaped("abc123<>@;:?/ é", HeaderAllowed, 0, 8)).Array[0, 2]
        select BuildUri(secure ? "sips" : "sip", user, user is null ? null : password, host, port, parameters, headers);

    private static UriCase BuildUri(string scheme, (string Value, string Text)? user, (string Value, string Text)? password, string host, int? port,
        (char[] Name, (string Value, string Text)? Value)[] parameters, (char[] Name, (string Value, string Text) Value)[] headers)
    {
        var text = new StringBuilder(scheme).Append(':');
        var expected = new SipUri(scheme, user?.Value, host, port);
        if (user is { } u)
        {
            text.Append(u.Text);
            if (password is { } p)
            {
                text.Append(':').Append(p.Text);
                expected.Password = p.Value;
            }

            text.Append('@');
        }

        text.Append(host);
        if (port is int portNumber)
        {
            text.Append(':').Append(portNumber);
        }

        foreach ((char[] name, (string Value, string Text)? value) in parameters)
        {
            text.Append(';').Append(name);
            if (value is { } v)
            {
                text.Append('=').Append(v.Text);
            }

            expected.Parameters.Add(new string(name), value?.Value);
        }

        for (int i = 0; i < headers.Length; i++)
        {
            text.Append(i == 0 ? '?' : '&').Append(headers[i].Name).Append('=').Append(headers[i].Value.Text);
            expected.Headers.Add(new string(headers[i].Name), headers[i].Value.Value);
        }

        return new UriCase(text.ToString(), expected);
    }

    /// <summary>A request-URI has no headers (RFC 3261 §19.1.1).</summary>
    private static readonly Gen<UriCase> RequestUri = Uri.Where(u => u.Expected.Headers.Count == 0);

    private static readonly Gen<string> HeaderSeparator = Gen.OneOfConst(": ", ":", " : ", "\t:\t", ":\r\n ");

    private static readonly Gen<string?> DisplayName = Gen.Frequency(
        (2, Gen.Char["abc XYZ\"\\é,;<>@"].Array[1, 12].Select(c => (string?)new string(c))),
        (1, Gen.Const((string?)null)));

    private static readonly Gen<(string Transport, string Host, int? Port, string Branch)> Via =
        Gen.Select(Gen.OneOfConst("UDP", "TCP", "TLS", "WS", "SCTP"), Host, Port, Token, (t, h, p, b) => (t, h, p, "z9hG4bK" + b));

    private static readonly Gen<(string Name, string Value)> Extra = Gen.Select(
        Gen.Char["abcdefghijklmnopqrstuvwxyz-"].Array[1, 10].Select(c => "X-" + new string(c)),
        Gen.Char["abc xyz,;:<>\"é=/"].Array[0, 30].Select(c => new string(c).Trim()),
        (n, v) => (n, v));

    private static readonly Gen<MessageCase> Message =
        from method in Method
        from requestUri in RequestUri
        from fromName in DisplayName
        from fromUri in Uri.Where(u => u.Expected.Headers.Count == 0)
        from fromTag in Token
        from to in Uri.Where(u => u.Expected.Headers.Count == 0)
        from vias in Via.Array[1, 4]
        from joinVias in Gen.Bool
        from callId in Gen.Char["abcdefghij0123456789-.!%*_+`'~()<>:\\\"/[]?{}"].Array[1, 24]
        from cseq in Gen.UInt[0, uint.MaxValue]
        from maxForwards in Gen.Int[0, 255]
        from compact in Gen.Bool
        from separator in HeaderSeparator
        from extra in Extra.Array[0, 4]
        from body in Gen.Byte.Array[0, 300]
        select BuildMessage(method, requestUri, fromName, fromUri, fromTag, to, vias, joinVias, new string(callId), cseq, maxForwards, compact, separator, extra, body);

    private static MessageCase BuildMessage(string method, UriCase requestUri, string? fromName, UriCase from, string fromTag, UriCase to,
        (string Transport, string Host, int? Port, string Branch)[] vias, bool joinVias, string callId, uint cseq, int maxForwards,
        bool compact, string separator, (string Name, string Value)[] extra, byte[] body)
    {
        var sb = new StringBuilder();
        sb.Append(method).Append(' ').Append(requestUri.Text).Append(" SIP/2.0\r\n");
        string ViaText((string Transport, string Host, int? Port, string Branch) v) =>
            $"SIP/2.0/{v.Transport} {v.Host}{(v.Port is int p ? ":" + p.ToString(CultureInfo.InvariantCulture) : string.Empty)};branch={v.Branch};rport";
        if (joinVias)
        {
            sb.Append(compact ? "v" : "VIA").Append(separator).Append(string.Join(" ,\r\n\t", vias.Select(ViaText))).Append("\r\n");
        }
        else
        {
            foreach (var v in vias)
            {
                sb.Append(compact ? "v" : "Via").Append(separator).Append(ViaText(v)).Append("\r\n");
            }
        }

        string quoted = fromName is null ? string.Empty : "\"" + fromName.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\" ";
        sb.Append(compact ? "f" : "From").Append(separator).Append(quoted).Append('<').Append(from.Text).Append(">;tag=").Append(fromTag).Append("\r\n");
        sb.Append(compact ? "t" : "to").Append(separator).Append('<').Append(to.Text).Append(">\r\n");
        sb.Append(compact ? "i" : "call-id").Append(separator).Append(callId).Append("\r\n");
        sb.Append("CSeq").Append(separator).Append(cseq).Append(' ').Append(method).Append("\r\n");
        sb.Append("Max-Forwards").Append(separator).Append(maxForwards).Append("\r\n");
        foreach ((string name, string value) in extra)
        {
            sb.Append(name).Append(separator).Append(value).Append("\r\n");
        }

        sb.Append(compact ? "l" : "Content-Length").Append(separator).Append(body.Length).Append("\r\n\r\n");
        return new MessageCase(sb.ToString(), method, requestUri, fromName, from, fromTag, to, vias, callId, cseq, maxForwards, extra, body);
    }

    private static byte[] Bytes(MessageCase m) => [.. Encoding.UTF8.GetBytes(m.Text), .. m.Body];

    [Fact]
    public void Uri_text_parses_to_the_generated_components_and_back()
    {
        Uri.Sample(u =>
        {
            Assert.True(SipUri.TryParse(u.Text, SipLimits.Default, out SipUri? parsed, out string? error), $"{u.Text}: {error}");
            Assert.Equal(u.Expected, parsed);
            Assert.Equal(u.Expected.User, parsed.User);
            Assert.Equal(u.Expected.Parameters.Select(p => p.Value), parsed.Parameters.Select(p => p.Value));
            string written = parsed.ToString();
            Assert.True(SipUri.TryParse(written, out SipUri? again), written);
            Assert.Equal(parsed, again);
            Assert.Equal(written, again.ToString());
        }, iter: 2000);
    }

    [Fact]
    public void Message_parses_writes_and_parses_back_to_the_same_message()
    {
        Message.Sample(m =>
        {
            byte[] raw = Bytes(m);
            Assert.True(SipMessageParser.TryParse(raw, out SipMessage? first, out SipParseError error), $"{error.Reason}\n{m.Text}");
            var request = Assert.IsType<SipRequest>(first);
            Assert.Equal(m.Method, request.Method);
            Assert.Equal(m.RequestUri.Expected, request.RequestUri);
            Assert.Equal(m.FromName, request.From!.DisplayName);
            Assert.Equal(m.From.Expected, request.From.Uri);
            Assert.Equal(m.FromTag, request.From.Tag);
            Assert.Equal(m.To.Expected, request.To!.Uri);
            Assert.Equal(m.Vias.Select(v => (v.Transport, v.Host, v.Port, v.Branch)), request.Vias.Select(v => (v.Transport, v.Host, v.Port, v.Branch!)));
            Assert.All(request.Vias, v => Assert.True(v.HasRport));
            Assert.Equal(m.CallId, request.CallId);
            Assert.Equal(new SipCSeq(m.CSeq, m.Method), request.CSeq);
            Assert.Equal(m.MaxForwards, request.MaxForwards);
            foreach ((string name, string value) in m.Extra)
            {
                Assert.Contains(value, request.Headers.GetAll(name));
            }

            Assert.Equal(m.Body, request.Body.ToArray());

            byte[] written = SipMessageWriter.ToBytes(request);
            Assert.True(SipMessageParser.TryParse(written, out SipMessage? second, out SipParseError secondError), secondError.Reason);
            var again = Assert.IsType<SipRequest>(second);
            Assert.Equal(request.RequestUri, again.RequestUri);
            Assert.Equal(request.From.Uri, again.From!.Uri);
            Assert.Equal(request.From.DisplayName, again.From.DisplayName);
            Assert.Equal(request.Vias.Select(v => v.ToString()), again.Vias.Select(v => v.ToString()));
            Assert.Equal(request.CSeq, again.CSeq);
            Assert.Equal(request.CallId, again.CallId);
            Assert.Equal(request.Body.ToArray(), again.Body.ToArray());
            Assert.Equal(written, SipMessageWriter.ToBytes(again));

            // The strict form has canonical names and no folding.
            string text = Encoding.UTF8.GetString(written, 0, written.Length - request.Body.Length);
            Assert.DoesNotContain("\r\n ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\r\n\t", text, StringComparison.Ordinal);
            Assert.Contains("\r\nCall-ID: ", text, StringComparison.Ordinal);
            Assert.Contains($"\r\nContent-Length: {m.Body.Length}\r\n", text, StringComparison.Ordinal);
        }, iter: 1000);
    }

    [Fact]
    public void Component_parsers_never_throw_on_arbitrary_text()
    {
        Gen<string> text = Gen.Char["sip:@;=?&<>\"\\[]:,/%0aZ9 \t.-_~*é\u0000"].Array[0, 40].Select(c => new string(c));
        text.Sample(s =>
        {
            bool uri = SipUri.TryParse(s, SipLimits.Default, out SipUri? u, out string? uriError);
            Assert.True(uri ? u is not null : uriError is not null);
            if (uri)
            {
                Assert.True(SipUri.TryParse(u!.ToString(), out SipUri? again), u.ToString());
                Assert.Equal(u, again);
            }

            bool address = SipNameAddress.TryParse(s, SipLimits.Default, out SipNameAddress? a, out string? addressError);
            Assert.True(address ? a is not null : addressError is not null);
            if (address)
            {
                Assert.True(SipNameAddress.TryParse(a!.ToString(), SipLimits.Default, out SipNameAddress? again, out string? againError), $"{a} ({againError})");
                Assert.Equal(a.ToString(), again.ToString());
                Assert.Equal(a.DisplayName, again.DisplayName);
            }

            bool via = SipVia.TryParse(s, SipLimits.Default, out SipVia? v, out string? viaError);
            Assert.True(via ? v is not null : viaError is not null);
            if (via)
            {
                Assert.True(SipVia.TryParse(v!.ToString(), out SipVia? again), v.ToString());
                Assert.Equal(v.ToString(), again.ToString());
            }

            bool cseq = SipCSeq.TryParse(s, out SipCSeq? c, out string? cseqError);
            Assert.True(cseq ? c is not null : cseqError is not null);
        }, iter: 20_000);
    }
}
