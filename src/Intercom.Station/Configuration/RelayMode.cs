namespace Intercom.Station.Configuration;

/// <summary>What a relay may do besides pulsing (relays[].mode).</summary>
public enum RelayMode
{
    /// <summary>Every energising is a pulse, bounded by maxMs: codes, the exit button, open commands, Home Assistant's unlock.</summary>
    Pulse,

    /// <summary>
    /// As <see cref="Pulse"/>, and the relay may also be held energised (a lock or strike rated for it): by the API, MQTT,
    /// Home Assistant's unlock (lock releases it) and schedules (schedules[].holdRelays), until released or for a set time.
    /// </summary>
    Hold,
}
