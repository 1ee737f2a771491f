namespace Intercom.Station.Events;

/// <summary>
/// Where one account's registration stands (RFC 3261 §10), in the station's words: the phone reports it, the station
/// knows no SIP. The names follow the phone's registration client one for one.
/// </summary>
public enum AccountRegistrationState
{
    /// <summary>Not started, or unregistered and idle.</summary>
    Unregistered,

    /// <summary>A REGISTER is on its way.</summary>
    Registering,

    /// <summary>The registrar holds the account's binding.</summary>
    Registered,

    /// <summary>The last attempt failed; another follows after a back-off (RFC 5626 §4.5).</summary>
    Retrying,

    /// <summary>The registrar refused the account's credentials; tries are few and far apart.</summary>
    AuthenticationFailed,

    /// <summary>Removing the binding (REGISTER with Expires: 0, §10.2.2): the account was removed or disabled.</summary>
    Unregistering,

    /// <summary>Stopped; nothing is sent for the account any more.</summary>
    Stopped,
}
