namespace Intercom.Configuration;

/// <summary>RFC 3261 §17.1.1.1 timer values, in milliseconds; the defaults are the RFC's.</summary>
public sealed class SipTimersConfig
{
    public int T1Ms { get; set; } = 500;

    public int T2Ms { get; set; } = 4000;

    public int T4Ms { get; set; } = 5000;
}
