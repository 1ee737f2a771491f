namespace Intercom.Sip.UserAgent.Registration;

/// <summary>How NAT bindings are kept open between registrations on UDP (streams always use CRLF, RFC 5626 §4.4.1).</summary>
public enum SipKeepAliveMethod
{
    /// <summary>A double CRLF datagram (RFC 5626 §3.5.1 ping, which UDP servers ignore but NATs see).</summary>
    Crlf,

    /// <summary>
    /// An OPTIONS request to the registrar: costs a transaction but proves the server is there; a timeout re-registers.
    /// </summary>
    Options,
}
