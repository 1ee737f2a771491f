using Intercom.Media.Srtp;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Phone;

/// <summary>
/// One SIP account of the phone, as baresip's and pjsua's accounts are: its identity, server, transport, credentials,
/// SRTP policy and registration, every one of them used for that account's calls in both directions. Compared by value:
/// an account whose options are unchanged keeps its registration when options are applied live.
/// </summary>
public sealed record AccountOptions
{
    /// <summary>What ring groups and the API name the account by (the configuration's accounts[].id).</summary>
    public required string Id { get; init; }

    /// <summary>The address-of-record (RFC 3261 §10), with a user: "sip:door@pbx.example".</summary>
    public required string AddressOfRecord { get; init; }

    /// <summary>The display name of the account's From; null: the station's (<see cref="PhoneOptions.Name"/>).</summary>
    public string? DisplayName { get; init; }

    /// <summary>Digest username; null: the AOR's user.</summary>
    public string? Username { get; init; }

    /// <summary>Digest password; null: the account has no credentials.</summary>
    public string? Password { get; init; }

    /// <summary>The registrar's URI; null: the AOR's domain.</summary>
    public string? Registrar { get; init; }

    /// <summary>The outbound proxy every request of the account goes through (RFC 3261 §8.1.2); null: none.</summary>
    public string? OutboundProxy { get; init; }

    public SipTransportProtocol Transport { get; init; } = SipTransportProtocol.Udp;

    /// <summary>SRTP by SDES for the account's calls (RFC 4568; the keys only ever travel over TLS).</summary>
    public SrtpPolicy Srtp { get; init; } = SrtpPolicy.Disabled;

    /// <summary>False: the account places calls but keeps no binding.</summary>
    public bool Register { get; init; } = true;

    public TimeSpan Expires { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>RFC 5626 keep-alive of the account's flow; null: none.</summary>
    public TimeSpan? KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>NAT traversal of the account's calls (STUN servers for the RTP socket's public mapping).</summary>
    public AccountNatOptions Nat { get; init; } = AccountNatOptions.None;

    /// <summary>How a UDP flow is kept alive (CRLF or OPTIONS).</summary>
    public SipKeepAliveMethod UdpKeepAlive { get; init; } = SipKeepAliveMethod.Options;

    /// <summary>
    /// Offer SIP outbound (RFC 5626) in the account's REGISTERs, with the station's <see cref="PhoneOptions.InstanceId"/>,
    /// and use it when the registrar takes it; false never offers it.
    /// </summary>
    public bool Outbound { get; init; } = true;
}
