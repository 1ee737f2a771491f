namespace Intercom.Sip.Transport;

/// <summary>What <see cref="SipStreamFramer.TryReadFrame"/> found in a stream.</summary>
public enum SipFrameKind
{
    /// <summary>No complete frame yet: read more bytes.</summary>
    NeedMoreData,

    /// <summary>A complete SIP message (start line, headers and Content-Length bytes of body).</summary>
    Message,

    /// <summary>An RFC 5626 §3.5.1 keepalive ping (CRLFCRLF); the receiver answers with a single CRLF.</summary>
    KeepAlivePing,

    /// <summary>An RFC 5626 §3.5.1 keepalive pong (a single CRLF between messages).</summary>
    KeepAlivePong,

    /// <summary>The stream cannot be framed (oversized headers or body, bad or duplicate Content-Length): close it.</summary>
    Malformed,
}
