namespace Intercom.Station.Codes;

/// <summary>What a key press at the keypad asks the station to do.</summary>
internal enum KeypadOutcome
{
    /// <summary>Nothing (yet).</summary>
    None,

    /// <summary>Ring the target of the typed apartment.</summary>
    Dial,

    /// <summary>A local code was completed: open its relay.</summary>
    OpenRelay,

    /// <summary>Wrong code, locked out or unknown apartment: play the error beep.</summary>
    Rejected,
}
