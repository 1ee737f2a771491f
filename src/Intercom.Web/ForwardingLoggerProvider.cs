using Microsoft.Extensions.Logging;

namespace Intercom.Web;

/// <summary>Hands the HTTP stack's loggers to the app's logger factory, so its warnings reach journald in the app's format.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory logs) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => logs.CreateLogger(categoryName);

    public void Dispose()
    {
        // The factory belongs to the app.
    }
}
