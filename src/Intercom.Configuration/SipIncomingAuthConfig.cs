namespace Intercom.Configuration;

/// <summary>
/// Digest authentication of callers (RFC 3261 §22.4), for a station that phones call directly, with no PBX in front to
/// authenticate them: every new INVITE must answer a 401 challenge with this user and password; nonces expire after
/// 5 minutes and each nonce-count is good once, so a captured INVITE replayed is refused; a source that answers wrong 5
/// times is locked out for 10 minutes. When on, it is asked of every caller, also those let in by source (the registrar,
/// station.incoming.sources); callers from anywhere else are let in only by it. The allowlist
/// (station.incoming.allowlist) still applies to authenticated callers. Off by default: behind a PBX, let the PBX do it.
/// </summary>
public sealed class SipIncomingAuthConfig
{
    public bool Enabled { get; set; }

    /// <summary>The realm in challenges; phones show it and pick their credentials by it.</summary>
    public string Realm { get; set; } = "intercom";

    public string? Username { get; set; }

    /// <summary>Write-only: never logged, never returned by the web API.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Digest algorithms offered (one challenge each, in this order) and accepted: "SHA-256", "MD5". RFC 8760's order by
    /// default. A phone that gives up on the first challenge it does not know, instead of answering the next one (libre
    /// before 2.0, so baresip 1.x), needs ["MD5"].
    /// </summary>
    public List<string> Algorithms { get; set; } = ["SHA-256", "MD5"];
}
