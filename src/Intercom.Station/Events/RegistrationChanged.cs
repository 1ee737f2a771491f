using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The station's SIP registration changed (RFC 3261 §10): registered while any account is. <paramref name="AccountId"/> is the account whose report changed it, when known; <paramref name="Detail"/> the registrar's answer, for a person.</summary>
public sealed record RegistrationChanged(string? AccountId, bool Registered, string Detail) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Registration;
}
