using Intercom.Configuration;
using Intercom.Fuzz;
using Intercom.Reliability.Tests.Harness;

namespace Intercom.Reliability.Tests.Fuzz;

/// <summary>
/// The config fuzz target's start path reaches what it claims to for the richer seeds: a harness that returned early would
/// pass every fuzz run and find nothing.
/// </summary>
public sealed class ConfigStartPathTests
{
    [Fact]
    public void Two_accounts_with_TLS_and_SRTP_build_both_registrations_and_every_account_negotiates()
    {
        var report = StationStartPath.Build(Load("two-accounts-tls-srtp.json"));

        // "direct" does not register; each of the three call accounts makes an offer its twin answers.
        Assert.Equal(2, report.Registrations);
        Assert.Equal(3, report.Offers);
        Assert.True(report.Dialled > 0, "the call button dialled nobody");
    }

    [Fact]
    public void Every_button_of_several_ring_groups_dials_on_both_stations()
    {
        var report = StationStartPath.Build(Load("ring-groups-codes-keypad.json"));

        // Three buttons, each ringing at least one target, on the station started on the file and the one reconfigured to it.
        Assert.True(report.Dialled >= 6, $"dialled {report.Dialled}");
        Assert.Equal(1, report.Registrations);
    }

    [Fact]
    public void MQTT_and_webhooks_build_discovery_and_every_endpoint()
    {
        var report = StationStartPath.Build(Load("mqtt-webhooks.json"));

        Assert.True(report.DiscoveryDocuments > 0, "no Home Assistant discovery document");
        Assert.Equal(2, report.WebhookEndpoints);
        Assert.Equal(0, report.Registrations);
    }

    private static IntercomConfig Load(string seed)
    {
        var bytes = File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "tests", "Intercom.Fuzz", "corpus", "config", seed));
        Assert.True(ConfigLoader.TryParse(bytes, out var config, out var errors), string.Join("; ", errors));
        return config!;
    }
}
