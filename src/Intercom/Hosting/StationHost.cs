using Intercom.Audio;
using System.Runtime.InteropServices;
using Intercom.Configuration;
using Intercom.Configuration.Applying;
using Intercom.Hardware;
using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Intercom.Web;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>The composition root for `intercom run`: loads the configuration, starts the station, stops cleanly on SIGTERM/SIGINT.</summary>
internal static partial class StationHost
{
    public static async Task<int> RunAsync(CommandLine commandLine, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(stderr);
        using var loggerFactory = SystemdLogging.Create();
        var log = loggerFactory.CreateLogger("intercom");
        // speexdsp prints its warnings to stderr itself; they are read back into the journal's format, naming the call.
        StationApp? running = null;
        using var nativeWarnings = NativeAudioWarnings.Start(loggerFactory.CreateLogger("audio"), TimeProvider.System,
            () => running?.Calls.CallWith(running.Audio.Current)?.ToString());

        StartupOrder.WarmUpCryptography();
        // On its own hardware the station refuses example secrets (a code or password from the documentation).
        var store = new ConfigStore(commandLine.ConfigPath, runsForReal: !commandLine.Simulate);
        if (!store.TryLoad(out var config, out var errors, out var fellBackBecause, keepGoodCopy: false))
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
        var exitCode = ExitCodes.Ok;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        // SIGHUP (`systemctl reload intercom`) re-reads the file through the same pipeline as the web page; until the
        // station is up there is nothing to apply it to, and the default action (exit) would take the doorbell with it.
        ConfigPipeline? configuration = null;
        SystemdSupervision? supervision = null;
        HangUpSignal.StopIgnoring();
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            if (configuration is { } pipeline)
            {
                LogReloadRequested(log, pipeline.Path);
                _ = ReloadAsync(pipeline, supervision, log);
            }
            else
            {
                LogReloadTooEarly(log);
            }
        });

        LogStarting(log, IntercomCli.Version, config!.Name, commandLine.Simulate ? "simulated" : "GPIO");
        if (SetupStatus.Missing(config) is { Count: > 0 } missing)
        {
            LogNotConfigured(log, string.Join("; ", missing));
        }

        StationApp app;
        try
        {
            app = StationApp.Start(config, commandLine.Simulate, loggerFactory, stateDirectory: StateDirectory(store));
        }
        catch (Exception e) when (fellBackBecause is null && store.TryLoadLastGood(out var good) && good is not null)
        {
            // A file that validates should always start; when it does not (a port taken, a certificate unreadable, or a
            // defect of ours), the last copy that did start is better than a systemd restart loop with no doorbell.
            LogStartFailedFellBack(log, store.Path, e.GetType().Name, e.Message, store.LastGoodPath);
            fellBackBecause = [];
            config = good;
            LogStarting(log, IntercomCli.Version, config.Name, commandLine.Simulate ? "simulated" : "GPIO");
            try
            {
                app = StationApp.Start(config, commandLine.Simulate, loggerFactory, stateDirectory: StateDirectory(store));
            }
            catch (Exception again)
            {
                LogStartFailed(log, $"{again.GetType().Name}: {again.Message}");
                return ExitCodes.RuntimeFailure;
            }
        }
        catch (Exception e)
        {
            LogStartFailed(log, $"{e.GetType().Name}: {e.Message}");
            return ExitCodes.RuntimeFailure;
        }

        // The physical reset is watched from the board's first read on: the exit button held while the station starts.
        using var simulatedRelease = HoldSimulatedInput(app, commandLine, log);
        var webStarted = new TaskCompletionSource<WebServer?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var physicalReset = WatchPhysicalReset(app, StateDirectory(store), webStarted.Task, log);

        // A crash or an unhandled exception still leaves the door locked: the relays are released on the way out.
        running = app;
        EventHandler releaseOnExit = (_, _) => app.Board.ReleaseAll();
        AppDomain.CurrentDomain.ProcessExit += releaseOnExit;
        UnhandledExceptionEventHandler releaseOnCrash = (_, _) =>
        {
            // The runtime's crash report goes straight to stderr, not through the pipe that no thread may read any more.
            nativeWarnings?.Restore();
            app.Board.ReleaseAll();
        };
        AppDomain.CurrentDomain.UnhandledException += releaseOnCrash;
        try
        {
            await using var integrations = IntegrationsHosting.Start(app, loggerFactory);
            var pipeline = LiveConfiguration.For(app, store, new IntegrationsPart(integrations));
            var releases = Update.ReleaseStore.For(StateDirectory(store));
            var firmware = new Update.FirmwareUpdater(releases, Update.ReleaseKeys.Load(), () =>
            {
                // The response goes out first; then the station stops through its own path (unregister, relays released)
                // and its supervisor starts the launcher again, which runs the new release.
                exitCode = ExitCodes.RestartIntoUpdate;
                stopping.CancelAfter(TimeSpan.FromMilliseconds(500));
            }, loggerFactory.CreateLogger("update"));
            await using var web = await WebHosting.StartAsync(app, store, loggerFactory, configuration: pipeline, firmware: firmware).ConfigureAwait(false);
            webStarted.TrySetResult(web);
            foreach (var listener in app.Sip.Transport.Listeners)
            {
                LogListening(log, listener.Protocol.ToString().ToLowerInvariant(), listener.LocalEndPoint.ToString());
            }

            using var network = NetworkChangeWatcher.Start(app, log);
            LogReady(log);
            using var trial = Update.UpdateTrial.Start(releases, () => AllRegistered(app), () =>
            {
                exitCode = ExitCodes.UpdateTrialFailed;
                stopping.Cancel();
            }, TimeProvider.System, loggerFactory.CreateLogger("update"));
            using var systemd = SystemdSupervision.Start(app, SystemdNotifier.FromEnvironment(TimeProvider.System));
            supervision = systemd;
            configuration = pipeline;
            using var announceStopping = stopping.Token.Register(systemd.Stopping);
            if (fellBackBecause is null)
            {
                // After READY=1: the copy is for the next start, nothing this one waits for (StartupOrder.cs).
                store.KeepAsGood(config);
            }

            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            configuration = null;
            supervision = null;
            // Stopping ends the watch (a board being closed reads "let go"); a reset decided before goes to the state file
            // when the page never started.
            physicalReset.Dispose();
            webStarted.TrySetResult(null);
            await app.UnregisterAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            app.Dispose();
            AppDomain.CurrentDomain.ProcessExit -= releaseOnExit;
            AppDomain.CurrentDomain.UnhandledException -= releaseOnCrash;
        }

        LogStopped(log);
        return exitCode;

        void OnSignal(PosixSignalContext context)
        {
            // Stop through our own shutdown path (unregister, release relays) instead of the runtime's default exit.
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    // An update's trial passes once every account that registers is registered (an account with register off has
    // nothing to prove; a station without accounts passes at once).
    private static bool AllRegistered(StationApp app) =>
        app.Accounts.Current.All(r => r.Client.Status.State == Sip.UserAgent.Registration.RegistrationState.Registered);

    private static async Task ReloadAsync(ConfigPipeline pipeline, SystemdSupervision? supervision, ILogger log)
    {
        supervision?.Reloading();
        try
        {
            var result = await pipeline.ReloadAsync().ConfigureAwait(false);
            if (!result.Accepted)
            {
                foreach (var e in result.Errors)
                {
                    LogConfigError(log, pipeline.Path, e.ToString());
                }

                LogReloadRefused(log, pipeline.Path);
            }
            else
            {
                LogReloaded(log, pipeline.Path, Names(result.Applied), Names(result.RestartRequired));
            }
        }
#pragma warning disable CA1031 // A reload that fails for any reason must leave the running station as it was.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogReloadFailed(log, pipeline.Path, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            supervision?.Reloaded();
        }

        static string Names(IReadOnlyList<string> sections) => sections.Count == 0 ? "nothing" : string.Join(", ", sections);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "configuration {Path} reloaded: applied {Applied}; at the next start: {Restart}")]
    private static partial void LogReloaded(ILogger logger, string path, string applied, string restart);

    [LoggerMessage(Level = LogLevel.Error, Message = "configuration {Path} not reloaded: it does not validate; the running configuration is kept")]
    private static partial void LogReloadRefused(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "configuration {Path} reload failed ({Reason}); the running configuration is kept where it was not applied")]
    private static partial void LogReloadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIGHUP: reloading the configuration {Path}")]
    private static partial void LogReloadRequested(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIGHUP before the station is up: ignored (the file is read at start anyway)")]
    private static partial void LogReloadTooEarly(ILogger logger);

    /// <summary>
    /// The physical reset (docs/security.md): the exit button held from the station's start for 10 s
    /// (<see cref="StartupHold.MinimumHold"/>) and then let go, within 60 s of the start, clears the web page's admin
    /// password, its sessions and the API tokens, and makes a new setup secret. A tone says when to let go, another that
    /// it is done. Held beyond 60 s it is taken for a stuck button or a shorted wire: nothing is reset, at this start or
    /// any other while it stays stuck. Nothing here drives a relay, and the board reports no press for the hold.
    /// </summary>
    /// <summary>The station's own state (the SIP instance id) is kept beside the configuration, as the web page's is.</summary>
    private static string StateDirectory(ConfigStore store) => Path.GetDirectoryName(Path.GetFullPath(store.Path))!;

    private static StartupHold WatchPhysicalReset(StationApp app, string stateDirectory, Task<WebServer?> web, ILogger log)
    {
        return StartupHold.Watch(app.Board, InputKind.ExitButton, BoardLayoutBuilder.ExitButtonId, TimeProvider.System, state =>
        {
            switch (state)
            {
                case StartupHoldState.Holding:
                    LogResetHolding(log, StartupHold.MinimumHold.TotalSeconds, StartupHold.StuckAfter.TotalSeconds);
                    break;
                case StartupHoldState.Armed:
                    LogResetArmed(log);
                    app.Calls.PlayTone(StationTone.Accepted);
                    break;
                case StartupHoldState.ReleasedEarly:
                    LogResetReleasedEarly(log, StartupHold.MinimumHold.TotalSeconds);
                    break;
                case StartupHoldState.Stuck:
                    LogResetStuck(log, StartupHold.StuckAfter.TotalSeconds);
                    break;
                case StartupHoldState.Completed:
                    _ = ResetAsync();
                    break;
            }
        });

        async Task ResetAsync()
        {
            try
            {
                if (await web.ConfigureAwait(false) is { } server)
                {
                    server.ResetAdmin();
                }
                else
                {
                    WebServer.ResetAdmin(stateDirectory, TimeProvider.System);
                    LogResetOffline(log, stateDirectory);
                }

                app.Calls.PlayTone(StationTone.Accepted);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogResetFailed(log, e.Message);
                app.Calls.PlayTone(StationTone.Rejected);
            }
        }
    }

    /// <summary>`--simulate-held exit[:SECONDS]`: the simulated exit button held from the start, let go after SECONDS.</summary>
    private static ITimer? HoldSimulatedInput(StationApp app, CommandLine commandLine, ILogger log)
    {
        if (commandLine.SimulateHeld is null || app.SimulatedBoard is not { } board)
        {
            return null;
        }

        board.HoldInput(InputKind.ExitButton, BoardLayoutBuilder.ExitButtonId);
        LogSimulatedHold(log, commandLine.SimulateHeldFor is { } span ? $"let go after {span.TotalSeconds:0.###} s" : "never let go");
        return commandLine.SimulateHeldFor is { } duration
            ? TimeProvider.System.CreateTimer(_ => board.ReleaseInput(InputKind.ExitButton, BoardLayoutBuilder.ExitButtonId), null, duration, Timeout.InfiniteTimeSpan)
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "physical reset: the exit button is held at start; keep holding it {Seconds} s (a tone), then let go within {StuckSeconds} s of the start to clear the web page's admin password")]
    private static partial void LogResetHolding(ILogger logger, double seconds, double stuckSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "physical reset: armed; let go of the exit button now to clear the web page's admin password, sessions and API tokens")]
    private static partial void LogResetArmed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "physical reset: the exit button was let go before {Seconds} s; nothing reset")]
    private static partial void LogResetReleasedEarly(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "physical reset: the exit button is still held {Seconds} s after the start: taken for a stuck button or a shorted wire, nothing reset; the exit button opens nothing until it is let go (check its wiring)")]
    private static partial void LogResetStuck(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "physical reset: the web page is not running; its admin password and API tokens are cleared in {Directory}, and its next start asks for a new setup secret")]
    private static partial void LogResetOffline(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Critical, Message = "physical reset: cannot clear the web state: {Reason}")]
    private static partial void LogResetFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "simulation: the exit button is held from the start ({Release})")]
    private static partial void LogSimulatedHold(ILogger logger, string release);

    [LoggerMessage(Level = LogLevel.Critical, Message = "configuration {Path}: {Error}")]
    private static partial void LogConfigError(ILogger logger, string path, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "configuration {Path} is unusable; running with the last good copy {GoodPath}")]
    private static partial void LogFellBack(ILogger logger, string path, string goodPath);

    [LoggerMessage(Level = LogLevel.Critical, Message = "configuration {Path} validated but the station could not start on it ({Error}: {Reason}); running with the last good copy {GoodPath}")]
    private static partial void LogStartFailedFellBack(ILogger logger, string path, string error, string reason, string goodPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "intercom {Version} starting: {Name}, {Board} board")]
    private static partial void LogStarting(ILogger logger, string version, string name, string board);

    [LoggerMessage(Level = LogLevel.Warning, Message = "not configured yet: {Missing}; set them in the configuration or on the web page")]
    private static partial void LogNotConfigured(ILogger logger, string missing);

    [LoggerMessage(Level = LogLevel.Critical, Message = "cannot start: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP listening on {Transport} {EndPoint}")]
    private static partial void LogListening(ILogger logger, string transport, string endPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "ready")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped")]
    private static partial void LogStopped(ILogger logger);
}
