using Intercom.Station.Configuration;
using Intercom.Station.Routing;

namespace Intercom.Station.Tests;

public sealed class WeeklyScheduleTests
{
    private static bool Active(string days, string from, string to, DateTimeOffset at)
    {
        Assert.True(WeeklySchedule.TryParse(new ScheduleConfig { Days = days, From = from, To = to }, out var schedule, out _, out _));
        return schedule.IsActive(at);
    }

    // 2026-01-09 is a Friday.
    private static DateTimeOffset Friday(int hour, int minute = 0) => new(2026, 1, 9, hour, minute, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("fri-mon", 0, true)]   // Friday
    [InlineData("fri-mon", 1, true)]   // Saturday
    [InlineData("fri-mon", 3, true)]   // Monday
    [InlineData("fri-mon", 4, false)]  // Tuesday
    [InlineData("sat,sun", 0, false)]
    [InlineData("sat,sun", 2, true)]
    [InlineData("MON,wed-Thu", 5, true)] // Wednesday
    [InlineData("daily", 6, true)]
    public void Day_lists_and_ranges_wrap_over_the_week(string days, int daysAfterFriday, bool expected)
    {
        Assert.Equal(expected, Active(days, "00:00", "00:00", Friday(12).AddDays(daysAfterFriday)));
    }

    [Theory]
    [InlineData("fri", "08:00", "18:00", 12, 0, "2026-01-09 08:00")]
    [InlineData("fri", "08:00", "18:00", 18, 0, null)]
    [InlineData("fri", "22:00", "06:00", 23, 0, "2026-01-09 22:00")]
    [InlineData("fri", "22:00", "06:00", 29, 0, "2026-01-09 22:00")]  // Saturday 05:00, the morning part
    [InlineData("thu", "22:00", "06:00", 5, 0, "2026-01-08 22:00")]   // Friday 05:00: Thursday's window
    [InlineData("fri,sat", "00:00", "00:00", 36, 0, "2026-01-10 00:00")]
    public void The_current_windows_start_names_one_window_for_all_its_moments(string days, string from, string to, int hoursAfterFridayMidnight,
        int minute, string? expected)
    {
        Assert.True(WeeklySchedule.TryParse(new ScheduleConfig { Days = days, From = from, To = to }, out var schedule, out _, out _));

        var start = schedule.CurrentWindowStart(Friday(0, minute).AddHours(hoursAfterFridayMidnight));

        Assert.Equal(expected, start?.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Window_end_is_exclusive()
    {
        Assert.True(Active("fri", "08:00", "18:00", Friday(8)));
        Assert.True(Active("fri", "08:00", "18:00", Friday(17, 59)));
        Assert.False(Active("fri", "08:00", "18:00", Friday(18)));
        Assert.False(Active("fri", "08:00", "18:00", Friday(7, 59)));
    }

    [Fact]
    public void Overnight_window_belongs_to_the_day_it_starts()
    {
        Assert.True(Active("fri", "22:00", "06:00", Friday(23)));
        Assert.True(Active("fri", "22:00", "06:00", Friday(5).AddDays(1)));
        Assert.False(Active("fri", "22:00", "06:00", Friday(5)));
    }

    [Theory]
    [InlineData("", "00:00", "00:00", "days")]
    [InlineData("weekdays", "00:00", "00:00", "days")]
    [InlineData("mon-", "00:00", "00:00", "days")]
    [InlineData("mon", "7:00", "00:00", "from")]
    [InlineData("mon", "07:60", "00:00", "from")]
    [InlineData("mon", "07:00", "0800", "to")]
    public void Bad_fields_are_named(string days, string from, string to, string field)
    {
        Assert.False(WeeklySchedule.TryParse(new ScheduleConfig { Days = days, From = from, To = to }, out _, out var name, out _));
        Assert.Equal(field, name);
    }
}
