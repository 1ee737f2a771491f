using Intercom.Configuration;

namespace Intercom.Configuration.Tests;

/// <summary>The smallest valid configurations: the defaults plus someone for the call button to ring.</summary>
internal static class TestConfigs
{
    public const string MinimalJson = """{ "station": { "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ] } }""";

    public static IntercomConfig Minimal(string name = "Intercom")
    {
        var config = new IntercomConfig { Name = name };
        config.Station.RingGroups[0].Targets.Add("sip:resident@127.0.0.1");
        return config;
    }
}
