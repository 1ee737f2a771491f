using Intercom.Station.Configuration;

namespace Intercom.Station.Routing;

/// <summary>A parsed <see cref="ScheduleConfig"/>: a set of start days and a time-of-day window.</summary>
internal readonly struct WeeklySchedule
{
    private readonly int _dayMask;     // bit n = DayOfWeek n
    private readonly int _fromMinute;
    private readonly int _toMinute;

    private WeeklySchedule(int dayMask, int fromMinute, int toMinute)
    {
        _dayMask = dayMask;
        _fromMinute = fromMinute;
        _toMinute = toMinute;
    }

    /// <summary>True when <paramref name="localTime"/> (station local time) falls in the window.</summary>
    public bool IsActive(DateTimeOffset localTime)
    {
        var minute = localTime.Hour * 60 + localTime.Minute;
        var today = (int)localTime.DayOfWeek;
        if (_fromMinute == _toMinute)
        {
            return StartsOn(today);
        }

        if (_fromMinute < _toMinute)
        {
            return StartsOn(today) && minute >= _fromMinute && minute < _toMinute;
        }

        // Spans midnight: the evening part belongs to today, the morning part to the window that started yesterday.
        return (StartsOn(today) && minute >= _fromMinute) || (StartsOn((today + 6) % 7) && minute < _toMinute);
    }

    /// <summary>
    /// When the window that <paramref name="localTime"/> falls in began, as a local wall-clock time (whole minute; the same
    /// for every moment of one window, whatever the UTC offset did meanwhile), or null when it falls in none. A whole-day
    /// window ("from" equal to "to") begins at its day's midnight.
    /// </summary>
    public DateTime? CurrentWindowStart(DateTimeOffset localTime)
    {
        if (!IsActive(localTime))
        {
            return null;
        }

        var midnight = localTime.DateTime.Date;
        var minute = localTime.Hour * 60 + localTime.Minute;
        if (_fromMinute == _toMinute)
        {
            return midnight;
        }

        // The morning part of a window that spans midnight began yesterday evening.
        return _fromMinute > _toMinute && minute < _toMinute
            ? midnight.AddDays(-1).AddMinutes(_fromMinute)
            : midnight.AddMinutes(_fromMinute);
    }

    public static bool TryParse(ScheduleConfig config, out WeeklySchedule schedule, out string field, out string reason)
    {
        schedule = default;
        if (!TryParseDays(config.Days, out var mask))
        {
            (field, reason) = ("days", "expected day names or ranges like \"mon-fri\", \"sat,sun\" or \"daily\"");
            return false;
        }

        if (!TryParseTime(config.From, out var from))
        {
            (field, reason) = ("from", "expected a time \"HH:mm\" (00:00–23:59)");
            return false;
        }

        if (!TryParseTime(config.To, out var to))
        {
            (field, reason) = ("to", "expected a time \"HH:mm\" (00:00–23:59)");
            return false;
        }

        schedule = new WeeklySchedule(mask, from, to);
        (field, reason) = ("", "");
        return true;
    }

    private bool StartsOn(int day) => (_dayMask & (1 << day)) != 0;

    private static bool TryParseTime(string? text, out int minute)
    {
        minute = 0;
        if (text is null || text.Length != 5 || text[2] != ':' || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[1])
            || !char.IsAsciiDigit(text[3]) || !char.IsAsciiDigit(text[4]))
        {
            return false;
        }

        var hour = (text[0] - '0') * 10 + (text[1] - '0');
        var min = (text[3] - '0') * 10 + (text[4] - '0');
        minute = hour * 60 + min;
        return hour < 24 && min < 60;
    }

    private static bool TryParseDays(string? text, out int mask)
    {
        mask = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (span.Equals("daily", StringComparison.OrdinalIgnoreCase))
        {
            mask = 0x7F;
            return true;
        }

        foreach (var range in span.Split(','))
        {
            var part = span[range].Trim();
            var dash = part.IndexOf('-');
            if (dash < 0)
            {
                if (!TryDay(part, out var day))
                {
                    return false;
                }

                mask |= 1 << day;
                continue;
            }

            if (!TryDay(part[..dash].Trim(), out var first) || !TryDay(part[(dash + 1)..].Trim(), out var last))
            {
                return false;
            }

            // "fri-mon" wraps over the weekend.
            for (var d = first; ; d = (d + 1) % 7)
            {
                mask |= 1 << d;
                if (d == last)
                {
                    break;
                }
            }
        }

        return mask != 0;
    }

    private static bool TryDay(ReadOnlySpan<char> name, out int day)
    {
        ReadOnlySpan<string> names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
        for (day = 0; day < names.Length; day++)
        {
            if (name.Equals(names[day], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
