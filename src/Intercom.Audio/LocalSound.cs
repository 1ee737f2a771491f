namespace Intercom.Audio;

/// <summary>Sounds the station plays on its own speaker (not sent to the far end).</summary>
public enum LocalSound
{
    /// <summary>While calling: 425 Hz, 1 s on, 4 s off (the CEPT/ETSI ringing tone), repeated until stopped.</summary>
    Ringback,

    /// <summary>The door opened: two short rising beeps (880 Hz, 1320 Hz).</summary>
    Confirmation,

    /// <summary>A call failed or a code was refused: the special information tone, 950/1400/1800 Hz rising (ITU-T E.180).</summary>
    Error,
}
