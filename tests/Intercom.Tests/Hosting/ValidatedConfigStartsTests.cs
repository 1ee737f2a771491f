using System.Globalization;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Intercom.Tests.Hosting;

/// <summary>
/// The promise of `check-config`: every configuration it accepts starts the station (simulated board, null audio) and
/// applies live to a running one without an exception. Configurations are generated from a seed, field by field, from
/// values that are valid, borderline or wrong for the parser behind each field (URIs without users, with spaces,
/// IPv6 hosts, odd schemes, empty strings); each is put through the loader as a file is, and the accepted ones are
/// started. CI runs INTERCOM_CONFIG_PROPERTY_RUNS (default 400) generated files; every host is numeric loopback, so
/// nothing leaves the machine (no DNS).
/// </summary>
public sealed class ValidatedConfigStartsTests(ITestOutputHelper output)
{
    private static readonly string?[] Aors =
    [
        "sip:door@127.0.0.1", "sip:door@127.0.0.1:5999", "sips:door@127.0.0.1", "sip:door@[::1]", "sip:127.0.0.1",
        "sip:a b@127.0.0.1", "sip:%64oor@127.0.0.1", "sip:door@127.0.0.1;transport=tcp", "tel:+4930123", "sip:door@",
        "sip:door:pw@127.0.0.1", "SIP:Door@127.0.0.1", "sip:door@127.0.0.1:0", "",
    ];

    private static readonly string?[] Servers =
    [
        null, "", "sip:127.0.0.1:5999", "sip:[::1]:5999", "sip:127.0.0.1;transport=tcp", "sips:127.0.0.1:5998",
        "sip:127.0.0.1:5999;lr", "sip:registrar@127.0.0.1", "sip:127.0.0.1:70000", "http://127.0.0.1",
    ];

    private static readonly string[] Targets =
    [
        "sip:resident@127.0.0.1:5999", "101", "resident@127.0.0.1", "sip:resident@[::1]:5999", "sips:resident@127.0.0.1",
        "sip:127.0.0.1:5999", "tel:+4930123", "sip:a b@127.0.0.1", "",
    ];

    private static readonly string[] Codes = ["1234", "7391", "*12#", "987654", "1", "", "12a4", "0000000000000000000000"];

    private static readonly string[][] CodecSets = [["pcmu"], ["opus", "pcma"], ["g722"], ["opus", "g722", "pcmu", "pcma"], [], ["gsm"]];

    public static int Runs => int.TryParse(Environment.GetEnvironmentVariable("INTERCOM_CONFIG_PROPERTY_RUNS"), NumberStyles.None,
        CultureInfo.InvariantCulture, out var runs) && runs > 0 ? runs : 400;

    [Fact]
    public async Task Every_configuration_the_loader_accepts_starts_and_applies_live()
    {
        var random = new Random(17);
        var started = 0;
        var refused = 0;
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        StationApp? running = null;
        try
        {
            for (var run = 0; run < Runs; run++)
            {
                var json = ConfigLoader.Serialize(Generate(random));
                if (!ConfigLoader.TryParse(System.Text.Encoding.UTF8.GetBytes(json), out var config, out var errors))
                {
                    refused++;
                    foreach (var error in errors)
                    {
                        reasons[error.Path] = reasons.GetValueOrDefault(error.Path) + 1;
                    }

                    continue;
                }

                started++;
                try
                {
                    if (running is null)
                    {
                        running = StationApp.Start(config!, simulate: true, NullLoggerFactory.Instance);
                    }
                    else
                    {
                        // The live path (PUT /api/config): the running station takes the new file's sections.
                        await running.ReconfigureCallsAsync(config!).WaitAsync(TimeSpan.FromSeconds(30));
                        running.Station.Reconfigure(config!.Station);
                    }

                    if (run % 5 == 4)
                    {
                        // And a fresh start on it now and then.
                        running.Dispose();
                        running = null;
                    }
                }
                catch (Exception e)
                {
                    Assert.Fail($"run {run}: a configuration the loader accepted failed to {(running is null ? "start" : "apply")}: {e}\n{json}");
                }
            }
        }
        finally
        {
            running?.Dispose();
        }

        output.WriteLine($"{Runs} generated configurations: {started} accepted and started or applied, {refused} refused by validation");
        output.WriteLine("refused for: " + string.Join(", ", reasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}")));
        // Both sides must be exercised, or the generator has drifted away from what validation decides.
        Assert.InRange(started, Runs / 5, Runs);
        Assert.InRange(refused, Runs / 10, Runs);
    }

    private static IntercomConfig Generate(Random random)
    {
        T Pick<T>(IReadOnlyList<T> values) => values[random.Next(values.Count)];
        bool Often() => random.Next(8) != 0;

        var config = new IntercomConfig { Name = "Generated door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = Pick(new[] { "udp", "tcp" }), Address = Pick(new[] { "127.0.0.1", "::1" }), Port = 0 }];
        config.Audio.Driver = "null";
        config.Station.EventLog.PersistPath = null;
        var accounts = random.Next(3);
        for (var i = 0; i < accounts; i++)
        {
            var transport = Pick(new[] { "udp", "tcp", "tls" });
            config.Accounts.Add(new SipAccountConfig
            {
                Id = Often() ? $"a{i}" : "a0",
                Aor = random.Next(3) != 0 ? "sip:door@127.0.0.1:5999" : Pick(Aors)!,
                Username = Often() ? null : "door",
                Password = Often() ? "secret-pw" : null,
                Registrar = Often() ? null : Pick(Servers),
                OutboundProxy = Often() ? null : Pick(Servers),
                Transport = transport,
                Register = random.Next(2) == 0,
                Srtp = transport == "tls" && random.Next(2) == 0 ? Pick(new[] { "offered", "required" }) : "off",
                Keepalive = Pick(new[] { "auto", "off", "crlf", "options" }),
                ExpiresSeconds = Often() ? 600 : random.Next(0, 100_000),
            });
        }

        config.Media.Codecs = [.. Often() ? ["pcmu"] : Pick(CodecSets)];
        config.Media.PtimeMs = Often() ? 20 : Pick(new[] { 10, 20, 25, 60 });
        config.Media.RtpPortMin = 20000 + (2 * random.Next(0, 1000));
        config.Media.RtpPortMax = config.Media.RtpPortMin + (Often() ? 200 : random.Next(-4, 4));
        config.Station.RingGroups[0].Targets = random.Next(3) switch
        {
            0 => [],
            1 => [Often() ? Targets[0] : Pick(Targets)],
            _ => [Targets[0], Often() ? Targets[1] : Pick(Targets)],
        };
        if (random.Next(2) == 0)
        {
            config.Station.Codes = [new CodeConfig { Code = Often() ? "7391" : Pick(Codes), Relay = Often() ? "door" : "nowhere" }];
        }

        return config;
    }
}
