using System.Diagnostics.CodeAnalysis;

namespace Intercom.Sip.Messages;

/// <summary>The CSeq header (RFC 3261 §20.16): a sequence number and the method it numbers.</summary>
public readonly record struct SipCSeq(uint Number, string Method)
{
    /// <summary>Parses <c>1*DIGIT LWS Method</c>; the number must fit in 32 bits (RFC 3261 §8.1.1.5).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SipCSeq? cseq, [NotNullWhen(false)] out string? error)
    {
        cseq = null;
        ReadOnlySpan<char> s = SipGrammar.TrimLws(text);
        int digits = 0;
        ulong number = 0;
        while (digits < s.Length && SipGrammar.IsDigit(s[digits]))
        {
            number = (number * 10) + (ulong)(s[digits] - '0');
            if (number > uint.MaxValue)
            {
                error = "sequence number larger than 2**32-1";
                return false;
            }

            digits++;
        }

        if (digits == 0)
        {
            error = "no sequence number";
            return false;
        }

        ReadOnlySpan<char> method = SipGrammar.TrimLws(s[digits..]);
        if (method.Length == s.Length - digits || !SipGrammar.IsToken(method))
        {
            error = "expected \"number method\"";
            return false;
        }

        cseq = new SipCSeq((uint)number, SipMethods.Known(method) ?? method.ToString());
        error = null;
        return true;
    }

    /// <summary>The header value as sent: "number METHOD".</summary>
    public override string ToString() => $"{Number} {Method}";
}
