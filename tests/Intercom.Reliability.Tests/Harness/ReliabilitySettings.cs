using System.Globalization;

namespace Intercom.Reliability.Tests.Harness;

/// <summary>
/// How long the long tests run. CI uses the short defaults; the figures in the README come from one run with
/// INTERCOM_RELIABILITY_FULL=1 (30 s flood, 1,000 calls with 2 s of talk, registrar gone 5 min). Each
/// value can also be set on its own.
/// </summary>
public static class ReliabilitySettings
{
    public static bool Full => Environment.GetEnvironmentVariable("INTERCOM_RELIABILITY_FULL") == "1";

    /// <summary>Seconds the SIP flood lasts.</summary>
    public static int FloodSeconds => Get("INTERCOM_FLOOD_SECONDS", Full ? 30 : 6);

    /// <summary>Consecutive calls placed against baresip.</summary>
    public static int CallCount => Get("INTERCOM_CALLS", Full ? 1000 : 30);

    /// <summary>Talk time per call, in milliseconds.</summary>
    public static int TalkMs => Get("INTERCOM_TALK_MS", Full ? 2000 : 300);

    /// <summary>Seconds the registrar stays away.</summary>
    public static int RegistrarGoneSeconds => Get("INTERCOM_REGISTRAR_GONE_SECONDS", Full ? 300 : 8);

    /// <summary>Seconds the station's link stays down: the full 60 s in CI too (it is one test).</summary>
    public static int LinkDownSeconds => Get("INTERCOM_LINK_DOWN_SECONDS", 60);

    private static int Get(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
}
