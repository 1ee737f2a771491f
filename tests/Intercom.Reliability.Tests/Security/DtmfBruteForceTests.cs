using System.Globalization;
using Intercom.Station;
using Intercom.Station.Calls;
using Intercom.Station.Codes;
using Intercom.Station.Configuration;
using Intercom.Station.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Intercom.Reliability.Tests.Security;

/// <summary>
/// How fast can a caller guess the door code? An attacker who may call in (or has reached the keypad) keys wrong 4-digit
/// codes as fast as RFC 4733 allows (100 ms per digit), calls again whenever a call is locked out, and waits whenever the
/// station is; a day of that on a fake clock gives the guess rate the lockouts allow and the time to find a code.
/// </summary>
public sealed class DtmfBruteForceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Digit = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void The_default_lockouts_hold_a_caller_to_about_two_guesses_a_minute()
    {
        var config = new CodeLockConfig();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T00:00:00Z", CultureInfo.InvariantCulture));
        using var log = new EventLog(new EventLogConfig { PersistPath = null }, time);
        using var codeLock = new DtmfCodeLock(config, [new CodeConfig { Code = "7391", Relay = "door" }], [], new StationLoop(NullLogger.Instance), time, log);

        var start = time.GetUtcNow();
        var end = start + TimeSpan.FromHours(24);
        long guesses = 0;
        long call = 1;
        var guess = 0;
        while (time.GetUtcNow() < end)
        {
            var scope = CodeScope.ForCall(new CallHandle(call));
            if (codeLock.IsStationLockedOut)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                continue;
            }

            if (codeLock.IsLockedOut(scope))
            {
                // Hang up and call again: a new call is a new scope (it still counts for the station).
                codeLock.EndScope(scope);
                call++;
                time.Advance(TimeSpan.FromSeconds(1));
                continue;
            }

            // Never the right code: the count is of evaluated wrong guesses.
            var code = (guess++ % 7000).ToString("0000", CultureInfo.InvariantCulture);
            CodeResult result = CodeResult.Pending;
            foreach (var digit in code)
            {
                result = codeLock.Enter(scope, digit, "RFC 4733", out _);
                time.Advance(Digit);
            }

            Assert.NotEqual(CodeResult.Accepted, result);
            guesses += result == CodeResult.Rejected ? 1 : 0;
        }

        var perHour = guesses / 24.0;
        var expectedHours = 5000 / perHour;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"defaults ({config.MaxFailures} per call / {config.LockoutSeconds} s, {config.StationMaxFailures} per station / {config.StationLockoutSeconds} s): " +
            $"{guesses} guesses in 24 h = {perHour:0.0}/h; a 4-digit code takes {expectedHours:0} h on average ({2 * expectedHours:0} h at worst), a 6-digit one {expectedHours * 100 / 24:0} days"));

        // 10 guesses per 300 s station lockout (plus the seconds to key them): 120 an hour.
        Assert.InRange(perHour, 100, 125);
    }
}
