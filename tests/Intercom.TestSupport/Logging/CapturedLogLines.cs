using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Intercom.TestSupport.Logging;

/// <summary>
/// Keeps every line a component logs, as "Level message", so a test can read what the journal would say. Both a provider
/// (for a <see cref="LoggerFactory"/>) and a factory of its own (for a component that takes an <see cref="ILoggerFactory"/>).
/// </summary>
public sealed class CapturedLogLines : ILoggerProvider, ILoggerFactory
{
    /// <summary>The lines so far, oldest first.</summary>
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(Lines);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {formatter(state, exception)}");
    }
}
