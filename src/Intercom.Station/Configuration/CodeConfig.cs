namespace Intercom.Station.Configuration;

/// <summary>An access code and the relay it opens. Codes are secrets: never logged, never echoed in errors.</summary>
public sealed class CodeConfig
{
    /// <summary>
    /// Names the entry, so the web API can leave the code out (write-only, like passwords) and still know which stored
    /// code a changed entry keeps. Unique in its list; an entry without one is given one when the file is loaded or saved
    /// (<see cref="CodeIds"/>).
    /// </summary>
    public string Id { get; set; } = "";

    /// <summary>At least 4 of 0-9 * # A-D; '#' only as the last character (it ends an attempt).</summary>
    public string Code { get; set; } = "";

    /// <summary>Id of the relay it opens.</summary>
    public string Relay { get; set; } = "door";

    /// <summary>
    /// When this code opens its relay during a connected call (keyed in the call, or at the keypad while a call is
    /// connected), the station ends that call this many seconds later (the confirmation tone has played by then).
    /// Null: <see cref="StationConfig.HangUpAfterOpenSeconds"/>; 0: the call goes on.
    /// </summary>
    public int? HangUpAfterSeconds { get; set; }
}
