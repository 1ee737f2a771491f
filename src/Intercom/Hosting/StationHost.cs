using System.Runtime.InteropServices;
using Intercom.Configuration;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>The composition root for `intercom run`: loads the configuration, starts the station, stops cleanly on SIGTERM/SIGINT.</summary>
public static partial class StationHost
{
    public static async Task<int> RunAsync(CommandLine commandLine, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(stderr);
        using var loggerFactory = SystemdLogging.Create();
        var log = loggerFactory.CreateLogger("intercom");

        var store = new ConfigStore(commandLine.ConfigPath);
        if (!store.TryLoad(out var config, out var errors, out var fellBackBecause))
        {
            foreach (var e in errors)
            {
                LogConfigError(log, store.Path, e.ToString());
            }

            return ExitCodes.BadArgumentsOrConfig;
        }

        if (fellBackBecause is not null)
        {
            foreach (var e in fellBackBecause)
            {
                LogConfigError(log, store.Path, e.ToString());
            }

            LogFellBack(log, store.Path, store.LastGoodPath);
        }

        using var stopping = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        LogStarting(log, IntercomCli.Version, config!.Name, commandLine.Simulate ? "simulated" : "GPIO");
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }

        LogStopped(log);
        return ExitCodes.Ok;

        void OnSignal(PosixSignalContext context)
        {
            // Stop through our own shutdown path (unregister, release relays) instead of the runtime's default exit.
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "configuration {Path}: {Error}")]
    private static partial void LogConfigError(ILogger logger, string path, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "configuration {Path} is unusable; running with the last good copy {GoodPath}")]
    private static partial void LogFellBack(ILogger logger, string path, string goodPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "intercom {Version} starting: {Name}, {Board} board")]
    private static partial void LogStarting(ILogger logger, string version, string name, string board);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped")]
    private static partial void LogStopped(ILogger logger);
}
