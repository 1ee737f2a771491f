using System.Diagnostics;
using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;
using Intercom.Reliability.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Reliability.Tests.Faults;

/// <summary>
/// The registrar goes away (Kamailio stopped) and comes back: the station notices (its TCP flow closes), keeps answering
/// direct calls by URI meanwhile — the resident still opens the door — and is registered again within one step of its
/// RFC 5626 §4.5 backoff after the registrar returns. The backoff is the configured one (sip.registrationBackoff: base
/// 5 s, at most 60 s), so this also shows the setting reaches the registration client. The whole scenario's log is then searched for every secret in
/// the configuration.
/// </summary>
public sealed class RegistrarFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "Reg1strar-Secret-4711";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private const int BackoffBaseSeconds = 5;
    private const int BackoffMaxSeconds = 60;
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-registrar-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Registrar_gone_then_back_direct_calls_work_meanwhile_and_registration_returns_within_one_backoff_step()
    {
        await using var kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"));
        kamailio.Users["door"] = Password;
        await kamailio.StartAsync();

        var port = FreePort.Next();
        var config = StationConfigs.Direct(port, "sip:resident@127.0.0.1:5999");
        config.Accounts.Add(new SipAccountConfig
        {
            Id = "pbx",
            Aor = "sip:door@127.0.0.1",
            Registrar = $"sip:127.0.0.1:{kamailio.TcpPort};transport=tcp",
            Transport = "tcp",
            Username = "door",
            Password = Password,
            ExpiresSeconds = 120,
        });
        config.Sip.RegistrationBackoff = new SipRegistrationBackoffConfig { BaseSeconds = BackoffBaseSeconds, MaxSeconds = BackoffMaxSeconds };
        Assert.Empty(ConfigValidator.Validate(config));
        await using var station = await StationProcess.StartAsync(config, Path.Combine(_dir, "station"));
        await using var resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:{StationConfigs.ResidentUser}@127.0.0.1>;regint=0;answermode=manual;audio_codecs=PCMU");
        await resident.StartAsync();
        await station.WaitForLineAsync(@"Registration: registered \(", Wait);

        // The registrar goes away; the station's flow to it closes and its re-registration is refused.
        await kamailio.StopAsync();
        var goneAt = Stopwatch.StartNew();
        await station.WaitForLineAsync(@"Registration: not registered \(", Wait);

        // Meanwhile the resident calls the station by its URI and opens the door.
        await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{port}");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await resident.CommandAsync("sndcode", StationConfigs.DoorCode);
        await station.WaitForLineAsync("door energised", Wait);
        await resident.CommandAsync("hangup");
        await resident.WaitForEventAsync("CALL_CLOSED", Wait);

        var gone = TimeSpan.FromSeconds(ReliabilitySettings.RegistrarGoneSeconds);
        if (goneAt.Elapsed < gone)
        {
            await Task.Delay(gone - goneAt.Elapsed);
        }

        var outage = goneAt.Elapsed;
        await kamailio.StartAsync();
        var back = Stopwatch.StartNew();
        var step = LargestBackoffStep(outage, BackoffBaseSeconds, BackoffMaxSeconds);
        await station.WaitForLineAsync(@"Registration: registered \(", step + Wait, skip: 1);
        var reRegistered = back.Elapsed;
        output.WriteLine($"registrar gone {outage.TotalSeconds:0} s; registered again {reRegistered.TotalSeconds:0.0} s after it returned (backoff step in force at most {step.TotalSeconds:0} s)");
        Assert.True(reRegistered <= step + TimeSpan.FromSeconds(2), $"re-registered after {reRegistered}, more than one backoff step ({step})");

        await station.Process.StopAsync();
        AssertNoSecretIn(station.Process.Lines, config);
    }

    /// <summary>
    /// The longest retry delay the registration client can be waiting out after an outage of <paramref name="outage"/>:
    /// step k is base · 2^(k−1) (at most max) times a random 50–100 % (RFC 5626 §4.5, RegistrationClient.RetryDelay),
    /// so step k starts at the earliest after the shortest k−1 steps.
    /// </summary>
    internal static TimeSpan LargestBackoffStep(TimeSpan outage, double baseSeconds, double maxSeconds)
    {
        double elapsedMinimum = 0;
        double step = baseSeconds;
        while (elapsedMinimum + (step / 2) <= outage.TotalSeconds && step < maxSeconds)
        {
            elapsedMinimum += step / 2;
            step = Math.Min(maxSeconds, step * 2);
        }

        return TimeSpan.FromSeconds(step);
    }

    /// <summary>Every password, token and code in the configuration: none may appear in any log line.</summary>
    internal static void AssertNoSecretIn(IEnumerable<string> lines, IntercomConfig config)
    {
        var secrets = SecretsOf(config).Where(s => s.Length >= 4).ToList();
        Assert.NotEmpty(secrets);
        var all = lines.ToList();
        Assert.NotEmpty(all);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(all, l => l.Contains(secret, StringComparison.Ordinal));
        }

        // Nor a digest response (RFC 2617 §3.2.2), which would let the password be guessed offline.
        Assert.DoesNotContain(all, l => l.Contains("response=", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Values of every JSON property named like a secret (password, token, secret, key, code) in the saved form.</summary>
    private static IEnumerable<string> SecretsOf(IntercomConfig config)
    {
        using var json = System.Text.Json.JsonDocument.Parse(ConfigLoader.Serialize(config));
        var found = new List<string>();
        Walk(json.RootElement, null, found);
        return found;

        static void Walk(System.Text.Json.JsonElement element, string? name, List<string> found)
        {
            switch (element.ValueKind)
            {
                case System.Text.Json.JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        Walk(property.Value, property.Name, found);
                    }

                    break;
                case System.Text.Json.JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Walk(item, name, found);
                    }

                    break;
                case System.Text.Json.JsonValueKind.String when name is not null && IsSecretName(name):
                    found.Add(element.GetString()!);
                    break;
            }
        }

        static bool IsSecretName(string name) =>
            name.Contains("password", StringComparison.OrdinalIgnoreCase) || name.Contains("token", StringComparison.OrdinalIgnoreCase)
            || name.Contains("secret", StringComparison.OrdinalIgnoreCase) || name.Equals("code", StringComparison.OrdinalIgnoreCase)
            || name.Equals("privateKey", StringComparison.OrdinalIgnoreCase);
    }
}
