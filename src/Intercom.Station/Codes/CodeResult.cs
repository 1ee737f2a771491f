namespace Intercom.Station.Codes;

/// <summary>What one digit did to the code lock.</summary>
internal enum CodeResult
{
    /// <summary>Not a code digit, or a terminator with nothing typed: nothing happened.</summary>
    Ignored,

    /// <summary>Part of an attempt in progress.</summary>
    Pending,

    /// <summary>Completed a code: open its relay.</summary>
    Accepted,

    /// <summary>Completed a wrong attempt.</summary>
    Rejected,

    /// <summary>This scope or the whole station is locked out: the digit was not looked at.</summary>
    LockedOut,
}
