namespace Intercom.Configuration;

/// <summary>TLS identity of the station and how it checks its peers.</summary>
public sealed class SipTlsConfig
{
    /// <summary>PEM certificate presented by the TLS listener (and as a client certificate when asked).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key matching <see cref="CertificateFile"/>.</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>PEM bundle of CAs trusted for peers instead of the system store.</summary>
    public string? CaFile { get; set; }

    /// <summary>SHA-256 fingerprint (hex, colons allowed) a peer certificate must match; overrides CA checks.</summary>
    public string? PinnedFingerprint { get; set; }

    /// <summary>Verify the peer certificate (chain and name). Only a lab setup turns this off.</summary>
    public bool VerifyPeer { get; set; } = true;
}
