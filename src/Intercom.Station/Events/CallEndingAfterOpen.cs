using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>
/// A door was opened during <paramref name="Call"/> (by <paramref name="OpenedBy"/>: a code entry's id, "keypad", the
/// page, the API or MQTT) and the station ends the call <paramref name="Seconds"/> later
/// (station.hangUpAfterOpenSeconds, codes[].hangUpAfterSeconds).
/// </summary>
public sealed record CallEndingAfterOpen(CallHandle Call, string RelayId, string OpenedBy, int Seconds) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}
