namespace Intercom.Media.Srtp;

/// <summary>
/// The SRTP master keys of one call: ours protect what we send, the peer's unprotect what we receive (RFC 4568 §6.1).
/// </summary>
/// <param name="Suite">The agreed crypto suite.</param>
/// <param name="LocalMasterKey">Our 16-byte master key followed by the 14-byte master salt.</param>
/// <param name="RemoteMasterKey">The peer's key and salt, the same layout.</param>
public sealed record SrtpKeys(SrtpCryptoSuite Suite, ReadOnlyMemory<byte> LocalMasterKey, ReadOnlyMemory<byte> RemoteMasterKey);
