namespace Intercom.Media.Turn;

/// <summary>Where a <see cref="TurnAllocation"/> is in its life (RFC 8656 §6).</summary>
public enum TurnAllocationState
{
    /// <summary>Created; no Allocate sent yet.</summary>
    New,

    /// <summary>The Allocate transaction (and its authentication) is running.</summary>
    Allocating,

    /// <summary>The server relays: <see cref="TurnAllocation.RelayedAddress"/> is valid and refreshed before it expires.</summary>
    Allocated,

    /// <summary>The allocation could not be made, or was lost (a refresh failed, the server forgot it, the TCP/TLS connection closed).</summary>
    Failed,

    /// <summary>Disposed: released at the server (Refresh with LIFETIME 0) as far as it answered.</summary>
    Closed,
}
