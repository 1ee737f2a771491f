using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>
/// One category's logger: a line per entry, written at once (a door station logs a few lines per call, so no queue and
/// no thread). journald splits records at newlines, so newlines inside a message or an exception become spaces.
/// </summary>
internal sealed class SystemdLogger(string category, TextWriter output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = new StringBuilder(128);
        line.Append('<').Append(Priority(logLevel)).Append('>').Append(category)
            .Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
        AppendOneLine(line, formatter(state, exception));
        if (exception is not null)
        {
            line.Append(' ');
            AppendOneLine(line, exception.ToString());
        }

        output.WriteLine(line.ToString());
    }

    // sd-daemon(3) priorities: 2 critical, 3 error, 4 warning, 6 informational, 7 debug.
    private static char Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => '2',
        LogLevel.Error => '3',
        LogLevel.Warning => '4',
        LogLevel.Information => '6',
        _ => '7',
    };

    private static void AppendOneLine(StringBuilder line, string text)
    {
        foreach (var c in text)
        {
            line.Append(c is '\r' or '\n' ? ' ' : c);
        }
    }
}
