using Microsoft.Extensions.Logging;

namespace Intercom.Fuzz;

/// <summary>
/// The loggers the config target hands to what it builds. The station's loop and the SIP loop catch what a handler throws
/// and log it as an error so that a door station keeps running; under the fuzzer such an error is the same defect as an
/// exception escaping, so an error or worse is thrown here, where the fuzzer sees it.
/// </summary>
internal sealed class FailOnErrorLogger : ILogger, ILoggerFactory, ILoggerProvider
{
    public static readonly FailOnErrorLogger Instance = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (logLevel >= LogLevel.Error)
        {
            throw new InvalidOperationException($"logged as {logLevel} while building from an accepted configuration: {formatter(state, exception)}", exception);
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
