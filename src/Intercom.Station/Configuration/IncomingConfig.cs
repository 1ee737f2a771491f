namespace Intercom.Station.Configuration;

/// <summary>Calls to the station (a resident checking the camera/audio, a concierge opening the door).</summary>
public sealed class IncomingConfig
{
    /// <summary>
    /// Who may call in: a SIP URI ("sip:alice@pbx.example.com": user and host must match) or an extension
    /// ("101": the caller's user part must match). Everyone else is rejected with 403 before any media.
    /// </summary>
    public List<string> Allowlist { get; set; } = [];

    /// <summary>Answer allowlisted callers at once. When false, incoming calls are refused (480).</summary>
    public bool AutoAnswer { get; set; } = true;

    /// <summary>Play a short beep at the door when a call is auto-answered, so nobody is listened to unnoticed.</summary>
    public bool AnnouncementBeep { get; set; } = true;

    /// <summary>An incoming call is ended after this many seconds.</summary>
    public int MaxCallSeconds { get; set; } = 120;
}
