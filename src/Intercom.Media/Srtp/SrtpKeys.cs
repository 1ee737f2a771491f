using System.Security.Cryptography;

namespace Intercom.Media.Srtp;

/// <summary>
/// The SRTP master keys of one call: ours protect what we send, the peer's unprotect what we receive (RFC 4568 §6.1).
/// Two instances are equal when they hold the same suite and the same key bytes, whichever buffers carry them: each
/// offer/answer parses the peer's a=crypto into a new array, and a re-INVITE that repeats the keys must keep the contexts.
/// </summary>
/// <param name="Suite">The agreed crypto suite.</param>
/// <param name="LocalMasterKey">Our 16-byte master key followed by the 14-byte master salt.</param>
/// <param name="RemoteMasterKey">The peer's key and salt, the same layout.</param>
public sealed record SrtpKeys(SrtpCryptoSuite Suite, ReadOnlyMemory<byte> LocalMasterKey, ReadOnlyMemory<byte> RemoteMasterKey)
{
    /// <summary>Whether two keys (either may be absent) are the same suite and bytes; compared in constant time.</summary>
    public static bool SameKey(SrtpCryptoSuite? suite, ReadOnlyMemory<byte>? key, SrtpCryptoSuite? otherSuite, ReadOnlyMemory<byte>? otherKey) =>
        suite == otherSuite && key.HasValue == otherKey.HasValue
        && (!key.HasValue || CryptographicOperations.FixedTimeEquals(key.Value.Span, otherKey!.Value.Span));

    public bool Equals(SrtpKeys? other) =>
        other is not null
        && SameKey(Suite, LocalMasterKey, other.Suite, other.LocalMasterKey)
        && SameKey(Suite, RemoteMasterKey, other.Suite, other.RemoteMasterKey);

    public override int GetHashCode() => HashCode.Combine(Suite, LocalMasterKey.Length, RemoteMasterKey.Length);
}
