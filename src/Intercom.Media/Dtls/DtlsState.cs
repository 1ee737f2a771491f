namespace Intercom.Media.Dtls;

/// <summary>Where one DTLS association is.</summary>
public enum DtlsState
{
    /// <summary>Handshake messages are being exchanged.</summary>
    Handshaking,

    /// <summary>The handshake finished but the peer's fingerprint is not known yet (the SDP answer is still on its way).</summary>
    AwaitingFingerprint,

    /// <summary>The peer's certificate matched its a=fingerprint; SRTP keys are exported.</summary>
    Connected,

    /// <summary>The handshake failed, or the certificate did not match: no keys, ever, for this association.</summary>
    Failed,

    /// <summary>The peer closed it (close_notify) or we did.</summary>
    Closed,
}
