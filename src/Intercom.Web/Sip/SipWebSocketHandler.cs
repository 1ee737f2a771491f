using System.Net;
using System.Net.WebSockets;

namespace Intercom.Web.Sip;

/// <summary>
/// Where the web server hands a WebSocket it accepted with the "sip" subprotocol (RFC 7118): the SIP transport layer,
/// wired by the app (the web layer knows no SIP stack). The returned task completes when the SIP connection has closed;
/// the HTTP request lasts as long.
/// </summary>
/// <param name="webSocket">The accepted WebSocket.</param>
/// <param name="secure">True over HTTPS (Via transport WSS), false over plain HTTP (WS).</param>
/// <param name="remote">The client's address and port.</param>
/// <param name="local">The web server's address and port the client reached.</param>
/// <param name="webUser">
/// The web user whose logged-in page opened the WebSocket (a session cookie of a user who may operate the door, and the
/// station's own Origin), or null. It authenticates that WebSocket's REGISTER, as that user's browser phone, and nothing else.
/// </param>
public delegate Task SipWebSocketHandler(WebSocket webSocket, bool secure, IPEndPoint remote, IPEndPoint local, string? webUser);
