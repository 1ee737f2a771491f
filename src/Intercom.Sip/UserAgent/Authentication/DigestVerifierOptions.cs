namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>Settings of a <see cref="DigestVerifier"/>.</summary>
public sealed class DigestVerifierOptions
{
    /// <summary>How long a nonce may be used; after that the client gets stale=true.</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Algorithm offered in challenges and required in credentials.</summary>
    public DigestAlgorithm Algorithm { get; init; } = DigestAlgorithm.Sha256;

    /// <summary>Nonces remembered for nonce-count tracking; beyond this the oldest is forgotten (its user gets stale=true).</summary>
    public int MaxNonces { get; init; } = 1024;

    /// <summary>Key of the nonce HMAC; random per process when null (nonces then die with a restart, which only costs a stale round).</summary>
    public ReadOnlyMemory<byte>? Secret { get; init; }
}
