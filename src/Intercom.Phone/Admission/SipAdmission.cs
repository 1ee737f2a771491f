using System.Net;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Station.Configuration;

namespace Intercom.Phone;

/// <summary>
/// Who the station lets call it, by source: the servers of the accounts that register (<see cref="AccountRegistrations"/>,
/// asked at each INVITE, so accounts changed live count at once) and the networks of station.incoming.sources, as the
/// user agent's <see cref="IncomingAdmission"/>. Everything else must authenticate (sip.incomingAuth) or gets 403.
/// </summary>
internal sealed class SipAdmission
{
    private AccountRegistrations? _accounts;

    /// <summary>From now on, calls from the servers of <paramref name="accounts"/>' registrations are let in.</summary>
    public void TrustServersOf(AccountRegistrations accounts) => Volatile.Write(ref _accounts, accounts);

    /// <summary>The user agent's admission for <paramref name="incoming"/> (validated) and the registering accounts.</summary>
    public IncomingAdmission Create(IncomingConfig incoming)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        return new IncomingAdmission(Networks(incoming), FromServer);
    }

    /// <summary>The networks of station.incoming.sources (entries that do not parse are left out: the validator refuses them).</summary>
    public static IReadOnlyList<IPNetwork> Networks(IncomingConfig incoming)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var networks = new List<IPNetwork>();
        foreach (var source in incoming.Sources)
        {
            if (SourceNetwork.TryParse(source, out var network, out _))
            {
                networks.Add(network);
            }
        }

        return networks;
    }

    private bool FromServer(SipFlow flow) => Volatile.Read(ref _accounts)?.IsFromServer(flow) ?? false;
}
