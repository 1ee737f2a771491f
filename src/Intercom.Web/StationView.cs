using Intercom.Station;

namespace Intercom.Web;

/// <summary>The station as GET /api/status and the status page show it.</summary>
/// <param name="Name">The station's name.</param>
/// <param name="CallState">Idle, calling or in a call.</param>
/// <param name="Accounts">Each SIP account and its registration.</param>
/// <param name="Relays">Each relay and whether it is energised now.</param>
/// <param name="Inputs">Door contact, tamper switch and the code lockout.</param>
/// <param name="Buttons">Ids of the call buttons.</param>
/// <param name="Simulated">True on the simulated board (buttons pressable from the API).</param>
/// <param name="RestartRequired">Configuration sections saved but not yet in force: they take effect at the next start.</param>
/// <param name="NotConfigured">What the configuration still lacks (no door codes, no ring group targets, no account), one line each.</param>
/// <param name="Firmware">The running version, the installed release and any update on trial or rolled back.</param>
public sealed record StationView(
    string Name,
    StationCallState CallState,
    IReadOnlyList<AccountView> Accounts,
    IReadOnlyList<RelayView> Relays,
    InputsView Inputs,
    IReadOnlyList<string> Buttons,
    bool Simulated,
    IReadOnlyList<string> RestartRequired,
    IReadOnlyList<string>? NotConfigured = null,
    FirmwareView? Firmware = null);
