namespace Intercom.Station.Calls;

/// <summary>
/// What vouches for an incoming caller, decided by the SIP side from where the INVITE came from (its source address and
/// transport), never from what the INVITE says. The station's allowlist is matched against the caller's From only after
/// that: an extension-only entry ("101") names a user of a PBX or network the station trusts, so it matches only callers
/// who came through one.
/// </summary>
public enum CallerOrigin
{
    /// <summary>Nothing vouches for the caller (the SIP side did not check): the station refuses the call.</summary>
    Unverified,

    /// <summary>Through the registrar or outbound proxy of an account the station registers with: the PBX authenticated it.</summary>
    Registrar,

    /// <summary>From a network listed in station.incoming.sources.</summary>
    TrustedSource,

    /// <summary>From elsewhere, but it answered the station's digest challenge (sip.incomingAuth).</summary>
    Authenticated,

    /// <summary>
    /// The station's own page, logged in: it calls over the WebSocket its web session opened, so the password of the
    /// page proved the user (the caller is named "web:USER"). Not matched against the allowlist, which names SIP callers.
    /// </summary>
    WebPage,
}
