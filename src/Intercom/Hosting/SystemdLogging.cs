using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>
/// Logs to stdout in systemd's format ("&lt;6&gt;category: message", priority prefixes per sd-daemon(3)) so journald keeps the
/// levels. The logging library's own systemd formatter does it; no timestamps because journald adds them.
/// </summary>
public static class SystemdLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimum)
            .AddSystemdConsole(options =>
            {
                options.IncludeScopes = false;
                options.TimestampFormat = null;
            }));
}
