namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// Digest hash algorithms (RFC 7616 §3.3, RFC 8760 for SIP). The "-sess" variants hash the nonce and cnonce into HA1
/// (RFC 2617 §3.2.2.2). SHA-512-256 is not offered: .NET has no SHA-512/256 and servers offer it alongside SHA-256.
/// </summary>
public enum DigestAlgorithm
{
    /// <summary>MD5, the RFC 2617 default when a challenge names no algorithm.</summary>
    Md5,

    /// <summary>MD5-sess.</summary>
    Md5Sess,

    /// <summary>SHA-256 (RFC 7616, RFC 8760).</summary>
    Sha256,

    /// <summary>SHA-256-sess.</summary>
    Sha256Sess,
}
