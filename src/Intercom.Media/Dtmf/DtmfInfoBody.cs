using System.Globalization;

namespace Intercom.Media.Dtmf;

/// <summary>
/// Decodes the DTMF bodies of SIP INFO requests: <c>application/dtmf-relay</c> ("Signal=5\r\nDuration=160", the Cisco/
/// SIPconnect form) and <c>application/dtmf</c> (the bare digit or event code). Liberal: any line order, case-insensitive
/// keys, spaces around '=' and LF or CRLF.
/// </summary>
public static class DtmfInfoBody
{
    /// <summary>Duration reported when the body carries none, in ms.</summary>
    public const int DefaultDurationMs = 250;

    /// <summary>
    /// Parses a body of <paramref name="contentType"/> (media type only, parameters allowed). Returns false for other
    /// content types or when no digit is found.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> contentType, ReadOnlySpan<char> body, out char digit, out int durationMs)
    {
        digit = '\0';
        durationMs = DefaultDurationMs;
        int semicolon = contentType.IndexOf(';');
        ReadOnlySpan<char> mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        if (mediaType.Equals("application/dtmf-relay", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseRelay(body, out digit, out durationMs);
        }

        if (mediaType.Equals("application/dtmf", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseSignal(body.Trim(), out digit);
        }

        return false;
    }

    private static bool TryParseRelay(ReadOnlySpan<char> body, out char digit, out int durationMs)
    {
        digit = '\0';
        durationMs = DefaultDurationMs;
        bool found = false;
        foreach (Range range in body.Split('\n'))
        {
            ReadOnlySpan<char> line = body[range].Trim();
            int equals = line.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            ReadOnlySpan<char> key = line[..equals].Trim();
            ReadOnlySpan<char> value = line[(equals + 1)..].Trim();
            if (key.Equals("Signal", StringComparison.OrdinalIgnoreCase))
            {
                found = TryParseSignal(value, out digit);
            }
            else if (key.Equals("Duration", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int duration) && duration is > 0 and <= 60_000)
            {
                durationMs = duration;
            }
        }

        return found;
    }

    private static bool TryParseSignal(ReadOnlySpan<char> value, out char digit)
    {
        digit = '\0';
        if (value.Length == 1)
        {
            if (!DtmfEvent.TryGetEventCode(value[0], out byte code))
            {
                return false;
            }

            digit = DtmfEvent.ToDigit(code);
            return true;
        }

        // Some gateways send the RFC 4733 event code ("10" for *, "11" for #).
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int eventCode) && eventCode is >= 10 and <= DtmfEvent.Flash)
        {
            digit = DtmfEvent.ToDigit(eventCode);
            return true;
        }

        return false;
    }
}
