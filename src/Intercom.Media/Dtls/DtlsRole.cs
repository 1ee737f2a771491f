namespace Intercom.Media.Dtls;

/// <summary>Which end of the DTLS handshake we are (RFC 5763 §5: the a=setup:active end is the client).</summary>
public enum DtlsRole
{
    /// <summary>We send the ClientHello (a=setup:active).</summary>
    Client,

    /// <summary>We wait for the peer's ClientHello (a=setup:passive, or actpass answered active).</summary>
    Server,
}
