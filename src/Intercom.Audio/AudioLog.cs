using Microsoft.Extensions.Logging;

namespace Intercom.Audio;

/// <summary>Source-generated log messages of the audio layer (no boxing, no formatting unless enabled).</summary>
internal static partial class AudioLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Device}: opened at {Rate} Hz, period {Period} frames, buffer {Buffer} frames")]
    public static partial void Opened(ILogger logger, string device, int rate, int period, int buffer);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Device}: unavailable, retrying in {RetryMs} ms: {Reason}")]
    public static partial void OpenFailed(ILogger logger, string device, int retryMs, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "{Device}: still unavailable, retrying in {RetryMs} ms: {Reason}")]
    public static partial void StillUnavailable(ILogger logger, string device, int retryMs, string reason);

    /// <summary>The first failure to open is a warning; the retries after it are debug, so a missing card does not flood the journal.</summary>
    public static void OpenFailed(ILogger logger, string device, ReopenSchedule schedule, AudioDeviceException e)
    {
        var retryMs = (int)schedule.OpenFailed().TotalMilliseconds;
        if (schedule.Failures == 1)
        {
            OpenFailed(logger, device, retryMs, e.Message);
        }
        else
        {
            StillUnavailable(logger, device, retryMs, e.Message);
        }
    }

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "{Device}: runs faster than real time (no sound card behind it?); pacing it by the clock")]
    public static partial void NotRealTime(ILogger logger, string device);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Device}: lost ({Reason}); playing on with silence until it returns")]
    public static partial void Lost(ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "{Device}: audio thread error")]
    public static partial void ThreadError(ILogger logger, string device, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "{Thread}: scheduling {Policy}")]
    public static partial void Priority(ILogger logger, string thread, string policy);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Echo canceller unavailable ({Reason}); falling back to half-duplex")]
    public static partial void EchoCancellerUnavailable(ILogger logger, string reason);
}
