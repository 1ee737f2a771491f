using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>
/// Logs to stdout in systemd's format ("&lt;6&gt;category[event id] message", priority prefixes per sd-daemon(3)) so
/// journald keeps the levels; no timestamps because journald adds them. The factory is built without a service
/// container: LoggerFactory.Create's dependency injection activates its services by reflection, which in a NativeAOT
/// binary builds generic types at run time (the type loader) and cost the station ~2.5 MiB of resident memory, 11 ms of
/// start-up and the console logger's own thread.
/// </summary>
internal static class SystemdLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Information) => Create(Console.Out, minimum);

    /// <summary>A factory whose loggers write to <paramref name="output"/> (stdout in production).</summary>
    public static ILoggerFactory Create(TextWriter output, LogLevel minimum = LogLevel.Information) =>
        new LoggerFactory([new SystemdLoggerProvider(output)], new LoggerFilterOptions { MinLevel = minimum });
}
