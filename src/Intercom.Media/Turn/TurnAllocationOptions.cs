namespace Intercom.Media.Turn;

/// <summary>
/// The timing of a <see cref="TurnAllocation"/>: STUN retransmission (RFC 8489 §6.2), the lifetimes TURN gives
/// allocations (RFC 8656 §7, 600 s by default), permissions (§9, 300 s) and channels (§12, 600 s) and when each is
/// refreshed before it runs out, and what the client does on its own when it sends to a new peer.
/// </summary>
public sealed record TurnAllocationOptions
{
    /// <summary>The first retransmission timeout over UDP; it doubles after each request (§6.2.1: 500 ms).</summary>
    public TimeSpan InitialRto { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Rc: requests sent in all over UDP (§6.2.1: 7).</summary>
    public int RequestCount { get; init; } = 7;

    /// <summary>Rm: after the last request the client waits Rm × the initial RTO (§6.2.1: 16; 39.5 s in all).</summary>
    public int LastWaitMultiplier { get; init; } = 16;

    /// <summary>Ti: how long a request over TCP/TLS waits for its answer; it is never retransmitted (§6.2.2: 39.5 s).</summary>
    public TimeSpan StreamTransactionTimeout { get; init; } = TimeSpan.FromMilliseconds(39_500);

    /// <summary>The LIFETIME asked for in Allocate and Refresh; null asks for none and takes the server's default (600 s).</summary>
    public TimeSpan? RequestedLifetime { get; init; }

    /// <summary>How long before the allocation expires it is refreshed (at most half its lifetime). 60 s.</summary>
    public TimeSpan RefreshMargin { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an installed permission is renewed with CreatePermission; below the 300 s it lasts (§9). 240 s.</summary>
    public TimeSpan PermissionRefreshInterval { get; init; } = TimeSpan.FromSeconds(240);

    /// <summary>How often a bound channel is renewed with ChannelBind; below the 600 s it lasts (§12). 540 s.</summary>
    public TimeSpan ChannelRefreshInterval { get; init; } = TimeSpan.FromSeconds(540);

    /// <summary>A refresh that got no answer, or a peer request that failed for want of one, is tried again after this. 5 s.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <see cref="TurnAllocation.Send"/> to a peer with no channel binds one (which installs the permission too, §12.1);
    /// until it is bound the datagrams go as Send indications. False: Send indications only, unless
    /// <see cref="TurnAllocation.BindChannelAsync"/> is called.
    /// </summary>
    public bool AutoBindChannels { get; init; } = true;

    /// <summary>Without <see cref="AutoBindChannels"/>: Send to a peer without a permission creates one. True.</summary>
    public bool AutoCreatePermissions { get; init; } = true;

    /// <summary>How many 438 (Stale Nonce) answers in a row one request retries with the new nonce (§9.2.5). 3.</summary>
    public int StaleNonceRetries { get; init; } = 3;

    /// <summary>How many 300 (Try Alternate) redirections an Allocate over UDP follows (RFC 8489 §10). 2.</summary>
    public int MaxRedirects { get; init; } = 2;

    /// <summary>How long <see cref="TurnAllocation.DisposeAsync"/> waits for the server to confirm the release (Refresh with LIFETIME 0). 2 s.</summary>
    public TimeSpan ReleaseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>TCP connect and TLS handshake bound. 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>SOFTWARE in each request (RFC 8489 §14.14); null: none.</summary>
    public string? Software { get; init; }

    internal void Validate()
    {
        if (InitialRto <= TimeSpan.Zero || RequestCount < 1 || LastWaitMultiplier < 1 || StreamTransactionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("RTO, Rc, Rm and Ti must be positive");
        }

        if (PermissionRefreshInterval <= TimeSpan.Zero || PermissionRefreshInterval >= TimeSpan.FromSeconds(300))
        {
            throw new ArgumentException("a permission lasts 300 s (RFC 8656 §9): refresh it sooner", nameof(PermissionRefreshInterval));
        }

        if (ChannelRefreshInterval <= TimeSpan.Zero || ChannelRefreshInterval >= TimeSpan.FromSeconds(600))
        {
            throw new ArgumentException("a channel binding lasts 600 s (RFC 8656 §12): refresh it sooner", nameof(ChannelRefreshInterval));
        }

        if (RefreshMargin <= TimeSpan.Zero || RetryInterval <= TimeSpan.Zero || ReleaseTimeout < TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero
            || StaleNonceRetries < 0 || MaxRedirects < 0 || RequestedLifetime is { } l && (l < TimeSpan.Zero || l.TotalSeconds > uint.MaxValue))
        {
            throw new ArgumentException("timeouts must be positive and retry counts not negative");
        }
    }
}
