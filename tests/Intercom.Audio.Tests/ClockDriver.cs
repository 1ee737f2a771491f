using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Audio.Tests;

/// <summary>Drives clock-paced audio threads with a fake clock: one step at a time, waiting (bounded) for the thread's progress.</summary>
internal static class ClockDriver
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    public static void RunUntil(FakeTimeProvider time, TimeSpan step, Func<bool> done, Func<long> progress, Action? beforeStep = null)
    {
        var started = Stopwatch.GetTimestamp();
        while (!done())
        {
            if (Stopwatch.GetElapsedTime(started) > Limit)
            {
                throw new TimeoutException($"audio thread made no progress to completion within {Limit}");
            }

            beforeStep?.Invoke();
            var before = progress();
            time.Advance(step);

            // Give the audio thread the time step's work; on a timeout the next step simply advances the clock further.
            SpinWait.SpinUntil(() => progress() > before || done(), TimeSpan.FromMilliseconds(200));
        }
    }
}
