using System.Net;
using System.Net.Sockets;
using Intercom.Calls;
using Intercom.Configuration;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Hosting;

/// <summary>The configuration's accounts turned into what the SIP side uses: the call identity, registration settings, the media address.</summary>
internal static class CallAccounts
{
    /// <summary>The identity and route of outgoing calls: the first account, or the station's name at our own address.</summary>
    public static CallAccount CreateCallAccount(IntercomConfig config)
    {
        if (config.Accounts.Count == 0)
        {
            // Direct IP calls only: our identity is the station's name at our own address.
            return new CallAccount { Identity = new SipNameAddress(SipUri.Parse("sip:intercom@localhost"), config.Name), Domain = "localhost" };
        }

        var account = config.Accounts[0];
        var aor = SipUri.Parse(account.Aor);
        Func<SipRequest, SipResponse, bool>? authorize = null;
        if (Credentials(account) is { } credentials)
        {
            // §22.2/§22.3: one authenticator per account caches the realm's nonce; it refuses a second challenge for
            // fresh credentials (wrong password) so a call never loops on 407.
            var authenticator = new DigestAuthenticator(credentials);
            authorize = (request, challenge) =>
                authenticator.HandleChallenge(request, challenge) == DigestChallengeOutcome.Authorized && authenticator.Authorize(request) > 0;
        }

        return new CallAccount
        {
            Identity = new SipNameAddress(aor, account.DisplayName ?? config.Name),
            Domain = aor.Port is int port ? $"{aor.Host}:{port}" : aor.Host,
            OutboundProxy = account.OutboundProxy is { Length: > 0 } proxy ? SipUri.Parse(proxy) : null,
            Authorize = authorize,
        };
    }

    /// <summary>How <paramref name="account"/> registers, with <paramref name="agent"/>'s product name.</summary>
    public static RegistrationOptions RegistrationOptions(SipAccountConfig account, IntercomConfig config, SipUserAgentOptions agent) => new()
    {
        AddressOfRecord = SipUri.Parse(account.Aor),
        Registrar = account.Registrar is { Length: > 0 } registrar ? SipUri.Parse(registrar) : null,
        OutboundProxy = account.OutboundProxy is { Length: > 0 } proxy ? SipUri.Parse(proxy) : null,
        Transport = account.Transport switch
        {
            "tcp" => SipTransportProtocol.Tcp,
            "tls" => SipTransportProtocol.Tls,
            _ => SipTransportProtocol.Udp,
        },
        Credentials = Credentials(account),
        DisplayName = account.DisplayName ?? config.Name,
        // Each binding's Contact carries its own AOR's user (as baresip's and pjsua's accounts do): a registrar or its
        // admin sees which account a binding is, also after an account changed live. The station answers whatever user
        // the Request-URI names at its address.
        ContactUser = null,
        Expires = TimeSpan.FromSeconds(account.ExpiresSeconds),
        KeepAliveInterval = account.Keepalive == "off" ? null : TimeSpan.FromSeconds(account.KeepaliveIntervalSeconds),
        UdpKeepAlive = account.Keepalive == "crlf" ? SipKeepAliveMethod.Crlf : SipKeepAliveMethod.Options,
        UserAgent = agent.Product,
        RetryBaseDelay = TimeSpan.FromSeconds(config.Sip.RegistrationBackoff.BaseSeconds),
        RetryMaximumDelay = TimeSpan.FromSeconds(config.Sip.RegistrationBackoff.MaxSeconds),
    };

    /// <summary>
    /// The address our SDP advertises: the SIP listener's when it is bound to one, else the interface the kernel would
    /// use toward the account's host (a connected UDP socket sends nothing). May resolve a name: call it off the SIP loop.
    /// </summary>
    public static IPAddress MediaAddress(IntercomConfig config, SipStack sip)
    {
        var bound = sip.Transport.Listeners.Select(l => l.LocalEndPoint.Address).FirstOrDefault(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any));
        if (bound is not null)
        {
            return bound;
        }

        var host = config.Accounts.Count > 0 ? SipUri.Parse(config.Accounts[0].Aor).Host.Trim('[', ']') : "127.0.0.1";
        if (!IPAddress.TryParse(host, out var target))
        {
            target = Dns.GetHostAddresses(host).FirstOrDefault() ?? IPAddress.Loopback;
        }

        using var probe = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(new IPEndPoint(target, 5060));
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    private static DigestCredentials? Credentials(SipAccountConfig account) =>
        account.Password is { } password ? new DigestCredentials(account.Username ?? SipUri.Parse(account.Aor).User ?? "", password) : null;
}
