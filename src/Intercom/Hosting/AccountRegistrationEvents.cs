using Intercom.Phone;
using Intercom.Station.Events;
using SipRegistrationState = Intercom.Sip.UserAgent.Registration.RegistrationState;

namespace Intercom.Hosting;

/// <summary>
/// The phone's <see cref="AccountRegistrationChange"/> in the station's words (<see cref="AccountRegistrationChanged"/>):
/// the station knows no SIP, so the app, which knows both, maps one onto the other here and nowhere else.
/// </summary>
internal static class AccountRegistrationEvents
{
    public static AccountRegistrationChanged ToStationEvent(AccountRegistrationChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new AccountRegistrationChanged(change.AccountId, StateOf(change.State), change.Reason, change.Registrar, change.StatusCode);
    }

    private static AccountRegistrationState StateOf(SipRegistrationState state) => state switch
    {
        SipRegistrationState.Registering => AccountRegistrationState.Registering,
        SipRegistrationState.Registered => AccountRegistrationState.Registered,
        SipRegistrationState.Retrying => AccountRegistrationState.Retrying,
        SipRegistrationState.AuthenticationFailed => AccountRegistrationState.AuthenticationFailed,
        SipRegistrationState.Unregistering => AccountRegistrationState.Unregistering,
        SipRegistrationState.Stopped => AccountRegistrationState.Stopped,
        _ => AccountRegistrationState.Unregistered,
    };
}
