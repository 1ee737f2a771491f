using Intercom.Configuration;
using Intercom.Configuration.Applying;
using Intercom.Integrations;

namespace Intercom.Hosting;

/// <summary>MQTT and webhooks: a changed section's connection is replaced, an unchanged one kept (the station's name is in both).</summary>
internal sealed class IntegrationsPart(StationIntegrations integrations) : ILiveConfigPart
{
    public IReadOnlyCollection<string> LiveSections { get; } = ["mqtt", "webhooks", "name"];

    public Task<IReadOnlyList<string>> ApplyAsync(IntercomConfig config, ConfigDiff diff) => integrations.ReconfigureAsync(config);
}
