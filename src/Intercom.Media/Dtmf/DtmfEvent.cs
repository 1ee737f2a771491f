namespace Intercom.Media.Dtmf;

/// <summary>The DTMF event codes of RFC 4733 §3.2 (0–9, * = 10, # = 11, A–D = 12–15, flash = 16) and their characters.</summary>
public static class DtmfEvent
{
    /// <summary>The hook-flash event.</summary>
    public const byte Flash = 16;

    /// <summary>The character for an event code: '0'–'9', '*', '#', 'A'–'D', '!' for flash; '\0' if not a DTMF event.</summary>
    public static char ToDigit(int eventCode) => eventCode switch
    {
        >= 0 and <= 9 => (char)('0' + eventCode),
        10 => '*',
        11 => '#',
        >= 12 and <= 15 => (char)('A' + eventCode - 12),
        Flash => '!',
        _ => '\0',
    };

    /// <summary>The event code of a digit (case-insensitive for A–D); false for other characters.</summary>
    public static bool TryGetEventCode(char digit, out byte eventCode)
    {
        switch (digit)
        {
            case >= '0' and <= '9': eventCode = (byte)(digit - '0'); return true;
            case '*': eventCode = 10; return true;
            case '#': eventCode = 11; return true;
            case >= 'A' and <= 'D': eventCode = (byte)(digit - 'A' + 12); return true;
            case >= 'a' and <= 'd': eventCode = (byte)(digit - 'a' + 12); return true;
            case '!': eventCode = Flash; return true;
            default: eventCode = 0; return false;
        }
    }
}
