using System.Net;
using Intercom.Configuration;
using Intercom.Sip.Transport;

namespace Intercom.Hosting;

/// <summary>
/// The configuration's <c>sip.rateLimit</c> section as the transport layer's per-source limits. Always given, even when
/// disabled: the connection caps in it apply either way.
/// </summary>
internal static class SipRateLimiting
{
    public static SipRateLimitOptions FromConfig(SipRateLimitConfig config) => new()
    {
        Enabled = config.Enabled,
        MessagesPerSecond = config.MessagesPerSecond,
        Burst = config.Burst,
        GlobalMessagesPerSecond = config.GlobalMessagesPerSecond,
        RefusalBurst = config.RefusalBurst,
        BlockDuration = TimeSpan.FromSeconds(config.BlockSeconds),
        Exempt = [.. config.Exempt.Select(IPAddress.Parse)],
        MaxConnectionsPerSource = config.MaxConnectionsPerSource,
        MaxConnections = config.MaxConnections,
    };
}
