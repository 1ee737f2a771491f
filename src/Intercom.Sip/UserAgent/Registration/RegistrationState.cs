namespace Intercom.Sip.UserAgent.Registration;

/// <summary>Where a <see cref="RegistrationClient"/> stands.</summary>
public enum RegistrationState
{
    /// <summary>Created, not started; or unregistered and idle.</summary>
    Unregistered,

    /// <summary>A REGISTER is on its way (first registration, or after a contact change or a retry).</summary>
    Registering,

    /// <summary>The registrar holds our binding until <see cref="RegistrationStatus.ExpiresAt"/>; refreshes run in the background.</summary>
    Registered,

    /// <summary>The last attempt failed; the next one is scheduled with back-off (RFC 5626 §4.5).</summary>
    Retrying,

    /// <summary>
    /// The registrar refused our credentials (wrong user or password, 403, or a challenge we cannot answer). Only a few
    /// attempts are made, a long hold-off apart, so a wrong password never turns into a REGISTER storm.
    /// </summary>
    AuthenticationFailed,

    /// <summary>Removing the binding (REGISTER with Expires: 0) before stopping.</summary>
    Unregistering,

    /// <summary>Stopped; nothing is sent any more.</summary>
    Stopped,
}
