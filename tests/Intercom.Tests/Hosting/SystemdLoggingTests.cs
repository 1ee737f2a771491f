using Intercom.Hosting;
using Microsoft.Extensions.Logging;

namespace Intercom.Tests.Hosting;

/// <summary>The station's log lines as journald reads them: one record per line, the priority in front (sd-daemon(3)).</summary>
public sealed class SystemdLoggingTests
{
    [Theory]
    [InlineData(LogLevel.Critical, "<2>")]
    [InlineData(LogLevel.Error, "<3>")]
    [InlineData(LogLevel.Warning, "<4>")]
    [InlineData(LogLevel.Information, "<6>")]
    public void Each_level_gets_its_syslog_priority(LogLevel level, string prefix)
    {
        var output = new StringWriter();
        using (var logs = SystemdLogging.Create(output))
        {
            logs.CreateLogger("station").Log(level, new EventId(7), "door opened", null, (s, _) => s);
        }

        Assert.Equal($"{prefix}station[7] door opened{Environment.NewLine}", output.ToString());
    }

    [Fact]
    public void Newlines_in_a_message_and_its_exception_stay_on_one_line()
    {
        var output = new StringWriter();
        using (var logs = SystemdLogging.Create(output))
        {
            logs.CreateLogger("sip").LogError(new InvalidOperationException("bad\nstate"), "first\r\nsecond");
        }

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("<3>sip[0] first  second System.InvalidOperationException: bad state", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_below_the_minimum_level_are_not_written()
    {
        var output = new StringWriter();
        using (var logs = SystemdLogging.Create(output, LogLevel.Information))
        {
            var log = logs.CreateLogger("station");
            log.LogDebug("tone {Tone}", "ring");
            Assert.False(log.IsEnabled(LogLevel.Debug));
        }

        Assert.Equal("", output.ToString());
    }
}
