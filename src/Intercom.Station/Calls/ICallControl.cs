namespace Intercom.Station.Calls;

/// <summary>
/// The calls a door station makes and takes, in door-station terms; the app implements it over its SIP user agent
/// (one audio path: the station's microphone and loudspeaker). The station calls these methods from its own
/// serialised loop; implementations post the work to the SIP loop and must not block. Events may be raised from
/// any thread, also synchronously from inside a method (e.g. <see cref="CallEventKind.Ended"/> from
/// <see cref="Dial"/> for an unroutable target): the station queues them.
/// </summary>
public interface ICallControl
{
    /// <summary>Ringing, answered, ended, DTMF and incoming-call events.</summary>
    event EventHandler<CallEventArgs>? CallEvent;

    /// <summary>Starts an outgoing call (INVITE) to a SIP URI or an extension on the registrar's domain.</summary>
    /// <returns>The new leg; its events follow, ending with exactly one <see cref="CallEventKind.Ended"/>.</returns>
    CallHandle Dial(string target);

    /// <summary>
    /// Starts an outgoing call through the named account (the configuration's accounts[].id, as a ring group or the
    /// API names it); null: the implementation chooses, as <see cref="Dial(string)"/> does.
    /// </summary>
    /// <returns>The new leg; its events follow, ending with exactly one <see cref="CallEventKind.Ended"/>.</returns>
    CallHandle Dial(string target, string? account) => Dial(target);

    /// <summary>
    /// Starts the legs one ring-group target stands for: one for a SIP target (<see cref="Dial(string, string?)"/>); for
    /// a browser-phone target (<see cref="Routing.WebPhoneTarget"/>) one per phone registered now, or, with none, one leg
    /// that ends at once as failed. Each leg's events follow as for <see cref="Dial(string)"/>.
    /// </summary>
    IReadOnlyList<CallHandle> DialTarget(string target, string? account) => [Dial(target, account)];

    /// <summary>
    /// The web user whose own page is this leg's far end: a browser phone on the WebSocket that user's logged-in session
    /// opened from the station's page (never a header, nor a digest user). Null for every other leg.
    /// </summary>
    string? WebUserOf(CallHandle call) => null;

    /// <summary>Answers an incoming call (200 OK with the station's media).</summary>
    void Answer(CallHandle call);

    /// <summary>Refuses an incoming call with a final status (403, 480, 486, 603) before any media is set up.</summary>
    void Reject(CallHandle call, int sipStatus);

    /// <summary>Ends a leg in whatever state it is: CANCEL while ringing, BYE once answered. No-op if already over.</summary>
    void HangUp(CallHandle call);

    /// <summary>Plays a feedback tone on the station's loudspeaker (and into a connected call); None stops it.</summary>
    void PlayTone(StationTone tone);
}
