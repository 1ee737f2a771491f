namespace Intercom.Media.Srtp;

/// <summary>The SRTP crypto suites this endpoint implements (RFC 4568 §6.2, RFC 3711 §5).</summary>
public enum SrtpCryptoSuite
{
    /// <summary>AES-128 counter mode, HMAC-SHA1 with an 80-bit tag (the mandatory one).</summary>
    AesCm128HmacSha1_80,

    /// <summary>AES-128 counter mode, HMAC-SHA1 with a 32-bit tag on RTP (RTCP keeps 80 bits).</summary>
    AesCm128HmacSha1_32,
}
