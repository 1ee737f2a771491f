using Intercom.Configuration;
using Intercom.Configuration.Applying;

namespace Intercom.Hosting;

/// <summary>The configuration pipeline of a running station: its rules, its calls, and whatever else the host started.</summary>
internal static class LiveConfiguration
{
    public static ConfigPipeline For(StationApp app, ConfigStore store, params ILiveConfigPart[] more) =>
        new(store, app.Config, [new StationRulesPart(app.Station), new CallsPart(app), .. more]);
}
