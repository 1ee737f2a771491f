using System.Net;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent;

/// <summary>Everything needed to assemble a <see cref="SipStack"/>.</summary>
public sealed class SipStackOptions
{
    public SipTransportOptions Transport { get; init; } = new();

    public SipTimerSettings Timers { get; init; } = SipTimerSettings.Default;

    public SipUserAgentOptions Agent { get; init; } = new();

    /// <summary>DNS servers for RFC 3263 lookups; empty means the system's (/etc/resolv.conf).</summary>
    public IReadOnlyList<IPEndPoint> DnsServers { get; init; } = [];
}
