namespace Intercom.Configuration;

/// <summary>
/// Digest authentication of callers (RFC 3261 §22.4), for a station that phones call directly, with no PBX in front to
/// authenticate them: every new INVITE must answer a 401 challenge with this user and password; nonces expire after
/// 5 minutes and each nonce-count is good once, so a captured INVITE replayed is refused. The allowlist
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

    /// <summary>Also accept MD5 digests (offered after SHA-256; many phones, baresip 1.x among them, know only MD5).</summary>
    public bool AllowMd5 { get; set; } = true;
}
