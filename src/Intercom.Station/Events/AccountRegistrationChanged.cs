using System.Text.Json.Serialization;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>
/// One account's registration changed (RFC 3261 §10), as the phone reported it through the app: which account, where it
/// stands, why, and where the REGISTER went. Holds no secret: no password, no digest, no nonce.
/// <see cref="RegistrationChanged"/> follows when the station as a whole turns registered or not.
/// </summary>
/// <param name="AccountId">The account's "id" in the configuration.</param>
/// <param name="State">Where its registration stands.</param>
/// <param name="Reason">Why, for a person: the registrar's status line ("200 OK", "403 Forbidden") or what went wrong.</param>
/// <param name="Registrar">Where the last REGISTER went ("udp:192.0.2.7:5060"), when known.</param>
/// <param name="StatusCode">The status code of the registrar's last final answer, when there was one.</param>
public sealed record AccountRegistrationChanged(string AccountId, AccountRegistrationState State, string Reason, string? Registrar = null,
    int? StatusCode = null) : DoorStationEvent
{
    /// <summary>True while the registrar holds the account's binding.</summary>
    [JsonIgnore]
    public bool Registered => State == AccountRegistrationState.Registered;

    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Registration;
}
