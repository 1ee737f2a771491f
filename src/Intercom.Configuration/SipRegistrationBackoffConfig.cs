namespace Intercom.Configuration;

/// <summary>
/// How long registration waits between failed attempts (RFC 5626 §4.5): wait = min(max, base · 2^(failures−1)), then a
/// random 50–100 % of it. The defaults are the RFC's (base-time 30 s, max-time 1800 s). After an outage of a few minutes
/// the step then in force can be several minutes long; a smaller base brings a station back sooner, at the price of more
/// REGISTERs toward a registrar that is still down.
/// </summary>
public sealed class SipRegistrationBackoffConfig
{
    /// <summary>base-time: the first wait, doubled per consecutive failure.</summary>
    public int BaseSeconds { get; set; } = 30;

    /// <summary>max-time: the longest wait.</summary>
    public int MaxSeconds { get; set; } = 1800;
}
