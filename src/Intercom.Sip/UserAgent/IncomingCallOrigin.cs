namespace Intercom.Sip.UserAgent;

/// <summary>How an incoming call came to be let in, decided by where its INVITE came from (never by what it says).</summary>
public enum IncomingCallOrigin
{
    /// <summary>No admission policy is set on the user agent: nothing was checked (a bare user agent, tests).</summary>
    Unchecked,

    /// <summary>From a server the station registers at: its registrar's or outbound proxy's address (or over its flow).</summary>
    Server,

    /// <summary>From one of the networks the station is told to trust (station.incoming.sources).</summary>
    TrustedNetwork,

    /// <summary>From anywhere else, but the caller answered the station's digest challenge (sip.incomingAuth).</summary>
    Authenticated,

    /// <summary>
    /// Over the WebSocket a logged-in page of the station's own opened (<see cref="Transport.SipFlow.WebUser"/>): the web
    /// session proved the user when the connection was accepted, so no digest is asked. Never a header, never a source.
    /// </summary>
    WebPage,
}
