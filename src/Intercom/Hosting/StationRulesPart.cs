using Intercom.Configuration;
using Intercom.Configuration.Applying;
using Intercom.Station;

namespace Intercom.Hosting;

/// <summary>The door-station rules ("station" without its start-time wiring) applied at once; a call in progress keeps going.</summary>
internal sealed class StationRulesPart(DoorStation station) : ILiveConfigPart
{
    public IReadOnlyCollection<string> LiveSections { get; } = ["station"];

    public Task<IReadOnlyList<string>> ApplyAsync(IntercomConfig config, ConfigDiff diff)
    {
        ArgumentNullException.ThrowIfNull(config);
        station.Reconfigure(config.Station);
        return Task.FromResult<IReadOnlyList<string>>(["station"]);
    }
}
