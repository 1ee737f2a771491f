using Microsoft.Extensions.Time.Testing;

namespace Intercom.Sip.Tests.Core;

/// <summary>Test clock helpers.</summary>
internal static class FakeTimeProviderExtensions
{
    /// <summary>
    /// FakeTimeProvider.Advance moves the clock to the end first and then fires what is due, so a timer re-armed from its
    /// own callback is scheduled from the end time. Stepping in milliseconds keeps every re-armed timer (E, G, A) at its
    /// exact RFC 3261 time.
    /// </summary>
    public static void Step(this FakeTimeProvider time, TimeSpan total)
    {
        var step = TimeSpan.FromMilliseconds(1);
        for (var elapsed = TimeSpan.Zero; elapsed < total; elapsed += step)
        {
            time.Advance(step);
        }
    }

    public static void StepMs(this FakeTimeProvider time, int milliseconds) => time.Step(TimeSpan.FromMilliseconds(milliseconds));
}
