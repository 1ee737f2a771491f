using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>Hands out <see cref="SystemdLogger"/>s that share one writer.</summary>
internal sealed class SystemdLoggerProvider(TextWriter output) : ILoggerProvider
{
    private readonly TextWriter _output = TextWriter.Synchronized(output);

    public ILogger CreateLogger(string categoryName) => new SystemdLogger(categoryName, _output);

    public void Dispose() => _output.Flush();
}
