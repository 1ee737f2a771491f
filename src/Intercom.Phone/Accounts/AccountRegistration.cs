using System.Net;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Phone;

/// <summary>One registering account of the configuration and the client that keeps it registered.</summary>
/// <param name="AccountId">The account's "id" in the configuration.</param>
/// <param name="AddressOfRecord">Its address-of-record, as configured.</param>
/// <param name="Client">The registration client (replaced, with a new record, when the account changes).</param>
public sealed record AccountRegistration(string AccountId, string AddressOfRecord, RegistrationClient Client)
{
    /// <summary>The account's transport (accounts[].transport): calls from its servers are let in over it.</summary>
    public SipTransportProtocol Transport { get; init; } = SipTransportProtocol.Udp;

    /// <summary>
    /// The registrar's URI when REGISTERs go to an outbound proxy instead (the client then looks up only the proxy); its
    /// addresses are looked up beside, into <see cref="RegistrarAddresses"/>. Null without an outbound proxy.
    /// </summary>
    internal SipUri? RegistrarBehindProxy { get; init; }

    /// <summary>The registrar's addresses found for <see cref="RegistrarBehindProxy"/> (a holder: the record's equality stays by client).</summary>
    internal AddressSet RegistrarAddresses { get; } = new();

    /// <summary>
    /// True when <paramref name="flow"/> comes from one of this account's servers: an address the last lookup of its
    /// registrar or outbound proxy found (the client's <see cref="RegistrationClient.Servers"/>, which also covers the flow
    /// it registered over), or of its registrar behind the proxy. Addresses only, not ports (a PBX may send from another
    /// port than it registers on). A UDP account's servers are let in over any transport; a TCP account's over TCP or TLS;
    /// a TLS account's over TLS only (a UDP source address is easy to forge on the LAN; a TLS account means that is not
    /// good enough).
    /// </summary>
    public bool IsFrom(SipFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return IsFrom(flow.Protocol, flow.RemoteEndPoint.Address);
    }

    /// <summary>As <see cref="IsFrom(SipFlow)"/>, for a request that came over <paramref name="protocol"/> from <paramref name="source"/>.</summary>
    public bool IsFrom(SipTransportProtocol protocol, IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (protocol.IsWebSocket())
        {
            // The station never registers over a WebSocket (it only accepts them), so no server of ours speaks through one.
            return false;
        }

        var allowed = Transport switch
        {
            SipTransportProtocol.Tls => protocol == SipTransportProtocol.Tls,
            SipTransportProtocol.Tcp => protocol is SipTransportProtocol.Tcp or SipTransportProtocol.Tls,
            _ => true,
        };
        if (!allowed)
        {
            return false;
        }

        var address = IncomingAdmission.Normalise(source);
        foreach (var server in Client.Servers)
        {
            if (IncomingAdmission.Normalise(server.EndPoint.Address).Equals(address))
            {
                return true;
            }
        }

        return RegistrarAddresses.Contains(address);
    }

    /// <summary>A set of addresses replaced as a whole; read from any thread.</summary>
    internal sealed class AddressSet
    {
        private IPAddress[] _addresses = [];

        public IReadOnlyList<IPAddress> Addresses => Volatile.Read(ref _addresses);

        public void Replace(IEnumerable<IPAddress> addresses) =>
            Volatile.Write(ref _addresses, [.. addresses.Select(IncomingAdmission.Normalise).Distinct()]);

        public bool Contains(IPAddress address) => Array.IndexOf(Volatile.Read(ref _addresses), address) >= 0;
    }
}
