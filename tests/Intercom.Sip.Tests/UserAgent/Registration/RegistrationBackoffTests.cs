using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Sip.Tests.UserAgent.Registration;

/// <summary>
/// The configurable RFC 5626 §4.5 back-off against a registrar that is down for five minutes (every REGISTER answered
/// 503 without Retry-After), on a fake clock: how soon after the registrar returns is the station registered again?
/// </summary>
public class RegistrationBackoffTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(5);

    [Theory]
    // RFC 5626's own values: the step in force after 5 min of failures is 4–8 min long.
    [InlineData(30, 1800, 480)]
    // A shorter base and cap: never more than the cap after the registrar is back.
    [InlineData(5, 60, 60)]
    [InlineData(1, 10, 10)]
    public void After_a_five_minute_outage_registration_returns_within_one_step_of_the_configured_backoff(int baseSeconds, int maxSeconds, int boundSeconds)
    {
        using var bench = new RegistrationBench(o => o with
        {
            RetryBaseDelay = TimeSpan.FromSeconds(baseSeconds),
            RetryMaximumDelay = TimeSpan.FromSeconds(maxSeconds),
        });
        bench.Register();

        // The registrar goes down: the next attempt (here forced, as a closed flow does) and every retry get 503.
        var downAt = bench.Time.GetUtcNow();
        bench.Client.Reregister();
        var answered = 0;
        while (bench.Time.GetUtcNow() - downAt < Outage)
        {
            if (bench.Registers.Count > answered)
            {
                answered = bench.Registers.Count;
                bench.Respond(503);
                Assert.Equal(RegistrationState.Retrying, bench.State);
                Assert.True(bench.Client.Status.NextAttemptAt!.Value - bench.Time.GetUtcNow() <= TimeSpan.FromSeconds(maxSeconds));
            }

            bench.AdvanceSeconds(0.5);
        }

        var attemptsDuringOutage = answered;
        var backAt = bench.Time.GetUtcNow();
        while (bench.State != RegistrationState.Registered)
        {
            Assert.True(bench.Time.GetUtcNow() - backAt <= TimeSpan.FromSeconds(boundSeconds), $"not registered {boundSeconds} s after the registrar returned");
            if (bench.Registers.Count > answered)
            {
                answered = bench.Registers.Count;
                bench.Registrar();
                continue;
            }

            bench.AdvanceSeconds(0.5);
        }

        // Not a storm either: with the cap c the outage costs at most 300/(c/2) + log2(c/base) + 1 attempts.
        var ceiling = (Outage.TotalSeconds / (maxSeconds / 2.0)) + Math.Log2((double)maxSeconds / baseSeconds) + 1;
        Assert.InRange(attemptsDuringOutage, 2, (int)Math.Ceiling(ceiling));
    }
}
