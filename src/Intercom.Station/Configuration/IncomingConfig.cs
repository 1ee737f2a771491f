namespace Intercom.Station.Configuration;

/// <summary>
/// Calls to the station (a resident checking the camera/audio, a concierge opening the door). A caller is let in first by
/// where the call comes from — the registrar of an account that registers, a network in <see cref="Sources"/>, or anyone
/// who answers the digest challenge of sip.incomingAuth; everyone else gets 403 whoever they claim to be — and only then
/// matched against <see cref="Allowlist"/>.
/// </summary>
public sealed class IncomingConfig
{
    /// <summary>
    /// Who may call in: a SIP URI ("sip:alice@pbx.example.com": user and host must match) or an extension ("101": the
    /// caller's user part must match, and the call must have come through the registrar or a network of
    /// <see cref="Sources"/>). Everyone else is rejected with 403 before any media.
    /// </summary>
    public List<string> Allowlist { get; set; } = [];

    /// <summary>
    /// Networks whose phones may call the station directly, without a PBX and without authenticating: IPv4 or IPv6
    /// addresses ("192.168.1.20") or networks in CIDR form ("10.0.0.0/24", "fd00::/64"). Calls from anywhere else must
    /// come through the registrar of an account that registers, or authenticate (sip.incomingAuth).
    /// </summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>
    /// Answer allowlisted callers at once. When false (the default), every incoming call is refused (480). Needs callers
    /// that are admitted by source or authenticated (the validator refuses it otherwise while the allowlist has entries).
    /// </summary>
    public bool AutoAnswer { get; set; }

    /// <summary>Play a short beep at the door when a call is auto-answered, so nobody is listened to unnoticed.</summary>
    public bool AnnouncementBeep { get; set; } = true;

    /// <summary>An incoming call is ended after this many seconds.</summary>
    public int MaxCallSeconds { get; set; } = 120;
}
