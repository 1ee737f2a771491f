namespace Intercom.Station.Calls;

/// <summary>Identifies one call leg to the station; the <see cref="ICallControl"/> implementation assigns it.</summary>
/// <param name="Id">An id unique for the life of the process (never reused).</param>
public readonly record struct CallHandle(long Id)
{
    /// <inheritdoc/>
    public override string ToString() => $"call {Id}";
}
