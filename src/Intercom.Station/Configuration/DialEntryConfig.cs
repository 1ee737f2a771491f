namespace Intercom.Station.Configuration;

/// <summary>An apartment number typed on the keypad and whom it calls.</summary>
public sealed class DialEntryConfig
{
    /// <summary>Digits typed before the call key ("12", "204").</summary>
    public string Apartment { get; set; } = "";

    /// <summary>A ring group id, or a SIP URI / extension rung on its own.</summary>
    public string Target { get; set; } = "";
}
