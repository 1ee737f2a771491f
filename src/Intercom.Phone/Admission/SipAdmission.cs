using System.Net;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;

namespace Intercom.Phone;

/// <summary>
/// Who the station lets call it, by source: the servers of the accounts that register (<see cref="AccountRegistrations"/>,
/// asked at each INVITE, so accounts changed live count at once) and the networks of <see cref="PhoneOptions.IncomingSources"/>,
/// as the user agent's <see cref="IncomingAdmission"/>. Everything else must authenticate (<see cref="PhoneOptions.IncomingAuth"/>) or gets 403.
/// </summary>
internal sealed class SipAdmission
{
    private AccountRegistrations? _accounts;

    /// <summary>From now on, calls from the servers of <paramref name="accounts"/>' registrations are let in.</summary>
    public void TrustServersOf(AccountRegistrations accounts) => Volatile.Write(ref _accounts, accounts);

    /// <summary>The user agent's admission for calls from <paramref name="sources"/> and the registering accounts' servers.</summary>
    public IncomingAdmission Create(IReadOnlyList<IPNetwork> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return new IncomingAdmission(sources, FromServer);
    }

    private bool FromServer(SipFlow flow) => Volatile.Read(ref _accounts)?.IsFromServer(flow) ?? false;
}
