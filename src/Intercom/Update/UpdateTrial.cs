using Microsoft.Extensions.Logging;

namespace Intercom.Update;

/// <summary>
/// The first start of an installed update is a trial: it stays only if the station becomes ready and every account
/// that registers is registered within <see cref="Window"/>. Otherwise the station exits with
/// <see cref="ExitCodes.UpdateTrialFailed"/>, and the launcher rolls back to the previous version at the next start
/// (a version that crashes before this runs is rolled back the same way). Also reports, once, a rollback the launcher did.
/// </summary>
internal sealed partial class UpdateTrial : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ITimer? _check;
    private readonly ITimer? _deadline;
    private int _done;

    private UpdateTrial(ReleaseStore store, Func<bool> registered, Action failed, TimeProvider time, ILogger log)
    {
        if (store.RolledBack is { } failedRelease)
        {
            LogRolledBack(log, failedRelease, store.Current ?? "the packaged version");
        }

        if (!store.OnTrial)
        {
            return;
        }

        var release = store.Current ?? "the packaged version";
        LogOnTrial(log, release, (int)Window.TotalSeconds);
        _check = time.CreateTimer(_ =>
        {
            if (registered() && Interlocked.Exchange(ref _done, 1) == 0)
            {
                store.Confirm();
                LogConfirmed(log, release);
                Dispose();
            }
        }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        _deadline = time.CreateTimer(_ =>
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                LogFailed(log, release, (int)Window.TotalSeconds);
                failed();
            }
        }, null, Window, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Starts watching the trial, if one is open; <paramref name="registered"/> says whether every registering account is registered.</summary>
    public static UpdateTrial Start(ReleaseStore store, Func<bool> registered, Action failed, TimeProvider time, ILogger log) =>
        new(store, registered, failed, time, log);

    public void Dispose()
    {
        _check?.Dispose();
        _deadline?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "firmware update {Release} on trial: it stays once ready and registered, within {Seconds} s")]
    private static partial void LogOnTrial(ILogger logger, string release, int seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "firmware update {Release} confirmed: ready and registered")]
    private static partial void LogConfirmed(ILogger logger, string release);

    [LoggerMessage(Level = LogLevel.Critical, Message = "firmware update {Release} not ready and registered within {Seconds} s: stopping so the previous version comes back")]
    private static partial void LogFailed(ILogger logger, string release, int seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "firmware update {Failed} failed its trial (did not start, or was not ready and registered in time): rolled back to {Running}")]
    private static partial void LogRolledBack(ILogger logger, string failed, string running);
}
