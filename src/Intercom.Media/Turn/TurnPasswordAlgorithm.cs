namespace Intercom.Media.Turn;

/// <summary>
/// The password algorithms of RFC 8489 §18.5 (PASSWORD-ALGORITHM, PASSWORD-ALGORITHMS): how the long-term key is made
/// from user name, realm and password.
/// </summary>
public enum TurnPasswordAlgorithm : ushort
{
    /// <summary>MD5, the key of RFC 5389 (and of servers that offer no algorithms).</summary>
    Md5 = 0x0001,

    /// <summary>SHA-256 (RFC 8489 §18.5.1.2).</summary>
    Sha256 = 0x0002,
}
