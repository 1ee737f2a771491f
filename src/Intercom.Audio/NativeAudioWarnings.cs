using System.Text;
using Intercom.Audio.Native;
using Microsoft.Extensions.Logging;

namespace Intercom.Audio;

/// <summary>
/// speexdsp reports trouble (the echo canceller diverged and reset itself, a bad control request) with a raw
/// <c>fprintf(stderr, "warning: ...")</c>, outside the journal's format and several times a call when a room is hard. This
/// reads the process's stderr back through a pipe, turns speexdsp's lines into log entries naming the call, at most one a
/// minute per message (with how many were held back), and passes every other byte through to the original stderr
/// unchanged and at once: a runtime crash report still reaches the journal, and the pipe is taken away before one is
/// written (<see cref="Restore"/> from the unhandled-exception handler) so nothing waits in it.
/// </summary>
public sealed partial class NativeAudioWarnings : IDisposable
{
    private const int MaxLine = 4096;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly StderrPipe pipe;
    private readonly NativeWarningThrottle throttle;
    private readonly Thread reader;

    private NativeAudioWarnings(StderrPipe pipe, NativeWarningThrottle throttle)
    {
        this.pipe = pipe;
        this.throttle = throttle;
        reader = new Thread(ReadLines) { IsBackground = true, Name = "native stderr" };
        reader.Start();
    }

    /// <summary>
    /// Starts reading stderr back, or returns null (logged) when the descriptors cannot be set up: speexdsp's lines then
    /// reach stderr raw as before, which loses nothing.
    /// </summary>
    /// <param name="currentCall">Names the call using the sound device now ("call 3"), or null between calls.</param>
    public static NativeAudioWarnings? Start(ILogger logger, TimeProvider time, Func<string?> currentCall)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var pipe = StderrPipe.TryInstall(out var failure);
        if (pipe is null)
        {
            LogNotCaptured(logger, failure ?? "unknown");
            return null;
        }

        return new NativeAudioWarnings(pipe, new NativeWarningThrottle(logger, time, currentCall, Interval));
    }

    /// <summary>speexdsp lines read back so far, logged or held back.</summary>
    internal int LinesTaken => throttle.Taken;

    /// <summary>stderr is the original descriptor again; what is still in the pipe is drained by the reader.</summary>
    public void Restore() => pipe.Restore();

    public void Dispose()
    {
        pipe.Restore();
        // Bounded: a child process that inherited descriptor 2 keeps the pipe open, and exit must not wait for it.
        if (reader.Join(TimeSpan.FromSeconds(2)))
        {
            pipe.Dispose();
        }
    }

    private void ReadLines()
    {
        var buffer = new byte[MaxLine];
        var filled = 0;
        while (true)
        {
            var n = pipe.Read(buffer.AsSpan(filled));
            if (n <= 0)
            {
                pipe.WriteThrough(buffer.AsSpan(0, filled));
                return;
            }

            filled += n;
            var start = 0;
            int newline;
            while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
            {
                var line = buffer.AsSpan(start, newline + 1);
                if (!TryTake(line))
                {
                    pipe.WriteThrough(line);
                }

                start += newline + 1;
            }

            // A partial line waits for its end only while it may still be speexdsp's; anything else (a crash report being
            // written, a prompt) goes through now, and a line longer than the buffer is nobody's warning.
            var rest = buffer.AsSpan(start, filled - start);
            if (rest.Length == buffer.Length || (rest.Length > 0 && !NativeWarningThrottle.MayStartWarning(rest)))
            {
                pipe.WriteThrough(rest);
                rest = [];
            }

            rest.CopyTo(buffer);
            filled = rest.Length;
        }
    }

    private bool TryTake(ReadOnlySpan<byte> line)
    {
        try
        {
            return throttle.TryTake(line);
        }
#pragma warning disable CA1031 // This thread must never stop: the pipe would fill and every write to stderr would block.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "native stderr not captured ({Reason}); speexdsp warnings stay raw")]
    private static partial void LogNotCaptured(ILogger logger, string reason);
}
