namespace Intercom.Media.Nat;

/// <summary>Why a datagram was not accepted as a STUN message (RFC 8489 §5, §6.3, §14).</summary>
public enum StunParseError
{
    /// <summary>The message is well formed.</summary>
    None,

    /// <summary>Shorter than the 20-byte header.</summary>
    TooShort,

    /// <summary>The two most significant bits are not zero (not STUN: RFC 7983 demultiplexing).</summary>
    NotStun,

    /// <summary>No magic cookie 0x2112A442 (an RFC 3489 message, or not STUN at all).</summary>
    BadMagicCookie,

    /// <summary>The length field is not a multiple of 4.</summary>
    UnalignedLength,

    /// <summary>The length field does not match the datagram (20 + length bytes).</summary>
    LengthMismatch,

    /// <summary>The message is longer than <see cref="StunMessage.MaxLength"/>.</summary>
    TooLong,

    /// <summary>An attribute header or value (with its padding) runs past the end of the message.</summary>
    TruncatedAttribute,

    /// <summary>More attributes than <see cref="StunMessage.MaxAttributes"/>.</summary>
    TooManyAttributes,

    /// <summary>FINGERPRINT is not the last attribute (§14.7).</summary>
    FingerprintNotLast,

    /// <summary>A MESSAGE-INTEGRITY whose value is not 20 bytes, or a FINGERPRINT whose value is not 4.</summary>
    BadIntegrityLength,
}
