using System.Text;
using Microsoft.Extensions.Logging;

namespace Intercom.Audio;

/// <summary>
/// Recognises speexdsp's stderr lines (os_support.h: <c>"warning: %s\n"</c>, <c>"warning: %s %d\n"</c>,
/// <c>"notification: %s\n"</c>) and logs each distinct message at most once per interval, naming the call that was using
/// the sound device and how many of the same were held back since the last entry.
/// </summary>
internal sealed partial class NativeWarningThrottle(ILogger logger, TimeProvider time, Func<string?> currentCall, TimeSpan interval)
{
    private static readonly byte[] Warning = "warning: "u8.ToArray();
    private static readonly byte[] Notification = "notification: "u8.ToArray();
    private const int MaxMessages = 32;

    private readonly Dictionary<string, (DateTimeOffset LastLogged, int HeldBack)> seen = new(StringComparer.Ordinal);
    private int taken;

    /// <summary>speexdsp lines taken so far, logged or held back (read by any thread).</summary>
    public int Taken => Volatile.Read(ref taken);

    /// <summary>Whether these bytes could be the beginning of a speexdsp line (so a partial line is worth waiting for).</summary>
    public static bool MayStartWarning(ReadOnlySpan<byte> partial) =>
        IsPrefixOf(partial, Warning) || IsPrefixOf(partial, Notification) || partial.StartsWith(Warning) || partial.StartsWith(Notification);

    /// <summary>Logs (or counts) a complete line that is speexdsp's and says so; false for anything else.</summary>
    public bool TryTake(ReadOnlySpan<byte> line)
    {
        var level = LogLevel.Warning;
        ReadOnlySpan<byte> text;
        if (line.StartsWith(Warning))
        {
            text = line[Warning.Length..];
        }
        else if (line.StartsWith(Notification))
        {
            text = line[Notification.Length..];
            level = LogLevel.Information;
        }
        else
        {
            return false;
        }

        var message = Encoding.UTF8.GetString(text.TrimEnd("\r\n"u8));
        Record(message, level);
        // Counted after the entry is written, so a reader that sees the count also sees the entry.
        Interlocked.Increment(ref taken);
        return true;
    }

    private void Record(string message, LogLevel level)
    {
        var now = time.GetUtcNow();
        if (seen.TryGetValue(message, out var last) && now - last.LastLogged < interval)
        {
            seen[message] = (last.LastLogged, last.HeldBack + 1);
            return;
        }

        if (seen.Count >= MaxMessages && !seen.ContainsKey(message))
        {
            // Messages with numbers in them ("warning: %s %d") could be many: the table stays bounded.
            seen.Clear();
        }

        seen[message] = (now, 0);
        var call = currentCall() ?? "no call";
        if (level == LogLevel.Warning)
        {
            LogWarning(logger, message, call, last.HeldBack);
        }
        else
        {
            LogNotification(logger, message, call, last.HeldBack);
        }
    }

    private static bool IsPrefixOf(ReadOnlySpan<byte> partial, ReadOnlySpan<byte> marker) =>
        partial.Length < marker.Length && marker.StartsWith(partial);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "speexdsp ({Call}): {Message} ({HeldBack} more like it since the last report)")]
    private static partial void LogWarning(ILogger logger, string message, string call, int heldBack);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "speexdsp ({Call}): {Message} ({HeldBack} more like it since the last report)")]
    private static partial void LogNotification(ILogger logger, string message, string call, int heldBack);
}
