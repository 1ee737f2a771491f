using Intercom.Configuration;
using Intercom.Station.Logging;

namespace Intercom.Web;

/// <summary>
/// What the page and the API may ask of the running station. The app implements it over its composition root; the web
/// layer knows nothing of SIP stacks or GPIO. Every member may be called from any request thread.
/// </summary>
public interface IStationControl
{
    /// <summary>Raised for every event appended to the station's log (on the appending thread).</summary>
    event EventHandler<StationEvent>? EventAppended;

    /// <summary>The configuration in force (as last saved), secrets included: the web layer removes them.</summary>
    IntercomConfig Config { get; }

    /// <summary>True when the board is simulated, so buttons can be pressed from the API.</summary>
    bool IsSimulated { get; }

    /// <summary>A snapshot for the status page and GET /api/status.</summary>
    StationView GetStatus();

    /// <summary>The event log in memory, oldest first.</summary>
    IReadOnlyList<StationEvent> GetEvents();

    /// <summary>Pulses a relay for its configured time.</summary>
    /// <returns>False when no relay has this id.</returns>
    bool OpenRelay(string relayId, string requestedBy);

    /// <summary>
    /// Holds a relay open on purpose (relays[].mode Hold), past its maxMs: until <see cref="ReleaseRelay"/> (null), or for
    /// <paramref name="duration"/>.
    /// </summary>
    RelayHoldResult HoldRelay(string relayId, string requestedBy, TimeSpan? duration) => RelayHoldResult.UnknownRelay;

    /// <summary>Releases a relay now: ends its hold, or cuts its pulse short.</summary>
    /// <returns>False when no relay has this id.</returns>
    bool ReleaseRelay(string relayId, string requestedBy) => false;

    /// <summary>
    /// The Open door button of the page's phone in a call: opens the door by the code path, as a right code in that call
    /// would, named as <paramref name="user"/>, only while the connected call is with that user's own page.
    /// </summary>
    /// <returns>Completes with false when no call with that user's page is connected, or the door relay did not open.</returns>
    Task<bool> OpenDoorFromPage(string user) => Task.FromResult(false);

    /// <summary>Rings a ring group (by id), a SIP URI or an extension, as a call button would.</summary>
    void Dial(string target, string requestedBy);

    /// <summary>As <see cref="Dial(string, string)"/>, through the account with this id (accounts[].id).</summary>
    void Dial(string target, string requestedBy, string? account) => Dial(target, requestedBy);

    /// <summary>Ends the call in progress, if any.</summary>
    void HangUp(string requestedBy);

    /// <summary>A visitor presses a call button of the simulated board.</summary>
    /// <returns>False when not simulating or no button has this id.</returns>
    bool PressButton(string buttonId);

    /// <summary>
    /// Validates, saves atomically and applies a whole new configuration. A refused one changes nothing and says which
    /// field is wrong and why; an accepted one says what took effect now and what waits for a restart.
    /// </summary>
    Task<ConfigChangeResult> ApplyConfigAsync(IntercomConfig config);

    /// <summary>
    /// Installs a release whose Ed25519 <paramref name="signature"/> a trusted release key made, beside the running version,
    /// and restarts into it on trial; a refused one changes nothing and says why. Stations without updates refuse all.
    /// </summary>
    FirmwareUpdateResult UpdateFirmware(ReadOnlyMemory<byte> archive, ReadOnlySpan<byte> signature, string requestedBy) =>
        FirmwareUpdateResult.Refused("this station does not install updates");
}
