using System.Net;
using System.Net.Sockets;
using Intercom.Media.Srtp;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registration;
using Microsoft.Extensions.Logging;

namespace Intercom.Phone;

/// <summary>The phone's accounts turned into what the SIP side uses: the call identity, registration settings, the media address.</summary>
internal static class CallAccounts
{
    /// <summary>
    /// The accounts outgoing calls can go through, in configuration order (the first is the default): each with its own
    /// identity, route, transport, SRTP policy and credentials. Without accounts: the station's name at our own address.
    /// </summary>
    /// <param name="options">The phone's options (validated).</param>
    /// <param name="registrations">Where each account's registration (its realm and flow) is found when a challenge comes.</param>
    /// <param name="log">Where refused challenges are reported.</param>
    public static IReadOnlyList<CallAccount> CreateCallAccounts(PhoneOptions options, AccountRegistrations registrations, ILogger log) =>
        CreateCallAccounts(options, () => registrations.Current, log);

    /// <summary>
    /// As above, with the registrations read through <paramref name="registrations"/> when a challenge comes: building the
    /// accounts needs no SIP stack, so the config fuzz target (tests/Intercom.Fuzz) reaches this with every accepted file.
    /// </summary>
    internal static IReadOnlyList<CallAccount> CreateCallAccounts(PhoneOptions options, Func<IReadOnlyList<AccountRegistration>> registrations, ILogger log)
    {
        if (options.Accounts.Count == 0)
        {
            // Direct IP calls only: our identity is the station's name at our own address.
            return [new CallAccount { Identity = new SipNameAddress(SipUri.Parse("sip:intercom@localhost"), options.Name), Domain = "localhost" }];
        }

        return [.. options.Accounts.Select(a => CreateCallAccount(a, options.Name, registrations, options.Media.Time, log))];
    }

    private static CallAccount CreateCallAccount(AccountOptions account, string stationName, Func<IReadOnlyList<AccountRegistration>> registrations,
        TimeProvider time, ILogger log)
    {
        var aor = SipUri.Parse(account.AddressOfRecord);
        var transport = account.Transport;
        var registrar = account.Registrar is { Length: > 0 } configured ? SipUri.Parse(configured)
            : account.Register ? new SipUri(aor.Scheme, null, aor.Host, aor.Port) : null;
        var proxy = account.OutboundProxy is { Length: > 0 } outbound ? SipUri.Parse(outbound) : null;

        // RFC 3261 §26.2 / RFC 5630: a TCP or TLS account's calls take its transport to its own server. Without an
        // outbound proxy that is its registrar (where its flow is), never the target located over UDP by RFC 3263.
        SipTransportProtocol? bound = transport == SipTransportProtocol.Udp ? null : transport;
        var route = proxy ?? (bound is not null ? registrar : null);
        if (route is not null && bound is { } protocol && !route.IsSecure)
        {
            route = route.Clone();
            route.Parameters.Set("transport", protocol == SipTransportProtocol.Tcp ? "tcp" : "tls");
        }

        Func<SipRequest, SipResponse, SipDestination, bool>? authorize = null;
        if (Credentials(account) is { } credentials)
        {
            // §22: the credentials answer only the account's own server (its registration's flow, or the configured
            // proxy all its calls go through) in the realm its registrar uses; a callee's or stranger's challenge gets
            // nothing. One authenticator per account caches the realm's nonce and refuses a second challenge to fresh
            // credentials (wrong password), so a call never loops on 407.
            var id = account.Id;
            var domain = aor.Host;
            var viaProxyOnly = route is not null;
            var authenticator = new BoundDigestAuthenticator(credentials,
                destination => Registration(registrations, id) is { } registration
                    ? registration.Destination is { } flow && flow.Protocol == destination.Protocol && flow.EndPoint.Equals(destination.EndPoint)
                    : viaProxyOnly,
                () => Registration(registrations, id) is { AuthenticatedRealms.Count: > 0 } registration ? registration.AuthenticatedRealms : [domain],
                log);
            authorize = (request, challenge, destination) => authenticator.Answer(request, challenge, destination) == DigestChallengeOutcome.Authorized;
        }

        var accountId = account.Id;
        Func<SipUri?>? registeredContact = account.Register
            ? () => Registration(registrations, accountId)?.Status is { State: RegistrationState.Registered, Contact: { } contact } ? contact : null
            : null;
        List<SipUri> servers = [new SipUri(aor.Scheme, null, aor.Host, aor.Port)];
        servers.AddRange(new[] { registrar, proxy }.OfType<SipUri>());
        return new CallAccount
        {
            Id = account.Id,
            Identity = new SipNameAddress(aor, account.DisplayName ?? stationName),
            Domain = aor.Port is int port ? $"{aor.Host}:{port}" : aor.Host,
            OutboundProxy = route,
            Transport = bound,
            Srtp = account.Srtp,
            Authorize = authorize,
            CameThroughServer = account.Register ? (protocol, source) => RegistrationOf(registrations, account.Id)?.IsFrom(protocol, source) == true : null,
            Servers = servers,
            Stun = account.Nat.StunServers.Count > 0 || account.Nat.UsesIce ? new StunMediaMapping(account.Nat, account.Id, time, log) : null,
            RegisteredContact = registeredContact,
        };
    }

    private static RegistrationClient? Registration(Func<IReadOnlyList<AccountRegistration>> registrations, string accountId) =>
        RegistrationOf(registrations, accountId)?.Client;

    /// <summary>The account's registration now (replaced when the account changes live), or null when it does not register.</summary>
    private static AccountRegistration? RegistrationOf(Func<IReadOnlyList<AccountRegistration>> registrations, string accountId)
    {
        foreach (var registration in registrations())
        {
            if (registration.AccountId == accountId)
            {
                return registration;
            }
        }

        return null;
    }

    /// <summary>How <paramref name="account"/> registers, with <paramref name="agent"/>'s product name.</summary>
    public static RegistrationOptions RegistrationOptions(AccountOptions account, PhoneOptions options, SipUserAgentOptions agent) => new()
    {
        AddressOfRecord = SipUri.Parse(account.AddressOfRecord),
        Registrar = account.Registrar is { Length: > 0 } registrar ? SipUri.Parse(registrar) : null,
        OutboundProxy = account.OutboundProxy is { Length: > 0 } proxy ? SipUri.Parse(proxy) : null,
        Transport = account.Transport,
        Credentials = Credentials(account),
        DisplayName = account.DisplayName ?? options.Name,
        // Each binding's Contact carries its own AOR's user (as baresip's and pjsua's accounts do): a registrar or its
        // admin sees which account a binding is, also after an account changed live. The station answers whatever user
        // the Request-URI names at its address.
        ContactUser = null,
        Expires = account.Expires,
        // The phone's null means no keep-alives; the registration client's null means its default interval, zero off.
        KeepAliveInterval = account.KeepAliveInterval ?? TimeSpan.Zero,
        UdpKeepAlive = account.UdpKeepAlive,
        UserAgent = agent.Product,
        RetryBaseDelay = options.RegistrationRetryBaseDelay,
        RetryMaximumDelay = options.RegistrationRetryMaximumDelay,
        InstanceId = OutboundInstance(account, options),
        RegId = OutboundInstance(account, options) is null ? null : RegId(account, options),
    };

    /// <summary>The instance id <paramref name="account"/> offers outbound with (RFC 5626 §4.1), or null when it offers none.</summary>
    public static string? OutboundInstance(AccountOptions account, PhoneOptions options) => account.Outbound ? options.InstanceId : null;

    /// <summary>
    /// RFC 5626 §4.2: the reg-id of the account's one flow. The registrar keys a flow by address-of-record, instance and
    /// reg-id, so 1 for each account, and the next number for an account that registers the same AOR again (at another
    /// registrar, say): two flows of one instance for one AOR must differ.
    /// </summary>
    public static int RegId(AccountOptions account, PhoneOptions options)
    {
        var regId = 1;
        foreach (var other in options.Accounts)
        {
            if (ReferenceEquals(other, account))
            {
                break;
            }

            if (other.Register && other.Outbound && string.Equals(other.AddressOfRecord, account.AddressOfRecord, StringComparison.OrdinalIgnoreCase))
            {
                regId++;
            }
        }

        return regId;
    }

    /// <summary>
    /// The address our SDP advertises: the SIP listener's when it is bound to one, else the interface the kernel would
    /// use toward the account's host (a connected UDP socket sends nothing). May resolve a name: call it off the SIP loop.
    /// </summary>
    public static IPAddress MediaAddress(PhoneOptions options, SipStack sip)
    {
        var bound = sip.Transport.Listeners.Select(l => l.LocalEndPoint.Address).FirstOrDefault(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any));
        if (bound is not null)
        {
            return bound;
        }

        var host = options.Accounts.Count > 0 ? SipUri.Parse(options.Accounts[0].AddressOfRecord).Host.Trim('[', ']') : "127.0.0.1";
        if (!IPAddress.TryParse(host, out var target))
        {
            target = Dns.GetHostAddresses(host).FirstOrDefault() ?? IPAddress.Loopback;
        }

        using var probe = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(new IPEndPoint(target, 5060));
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    private static DigestCredentials? Credentials(AccountOptions account) =>
        account.Password is { } password ? new DigestCredentials(account.Username ?? SipUri.Parse(account.AddressOfRecord).User ?? "", password) : null;
}
