namespace Intercom.Sip.Messages;

/// <summary>Checks the Date header grammar (RFC 3261 §20.17, §25.1 rfc1123-date), whose only time zone is "GMT".</summary>
internal static class SipDate
{
    private static readonly string[] Days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>Returns null when <paramref name="value"/> is <c>wkday "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT"</c>, else the fault.</summary>
    internal static string? Check(string value)
    {
        ReadOnlySpan<char> s = value;

        // Report the zone when only the zone is wrong (RFC 4475 §3.1.2.12: "EST", "UT", "UTC" are all invalid).
        int lastSpace = s.LastIndexOf(' ');
        if (lastSpace == 25 && !s[26..].SequenceEqual("GMT"))
        {
            return $"time zone \"{s[26..]}\" is not GMT";
        }

        if (s.Length != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' || s[25] != ' ')
        {
            return "not an RFC 1123 date";
        }

        if (Array.IndexOf(Days, s[..3].ToString()) < 0 || Array.IndexOf(Months, s[8..11].ToString()) < 0 ||
            !Digits(s[5..7]) || !Digits(s[12..16]) || !Digits(s[17..19]) || !Digits(s[20..22]) || !Digits(s[23..25]))
        {
            return "not an RFC 1123 date";
        }

        return null;
    }

    private static bool Digits(ReadOnlySpan<char> s) => s.IndexOfAnyExceptInRange('0', '9') < 0;
}
