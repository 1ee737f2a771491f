namespace Intercom.Station.Configuration;

/// <summary>How the targets of a ring group are called.</summary>
public enum RingMode
{
    /// <summary>All targets at once; the first to answer gets the call, the others are cancelled.</summary>
    Parallel,

    /// <summary>One target after another, each for the ring timeout.</summary>
    Sequential,
}
