namespace Intercom.Configuration;

/// <summary>
/// The web page and HTTP API: one port, HTTPS unless the file asks for plain HTTP. The admin password and API tokens are not here but in a
/// state file beside the configuration (only their salted hashes), so a configuration backup never carries them.
/// </summary>
public sealed class WebConfig
{
    /// <summary>Serve the page and the API at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Local address; 0.0.0.0 or :: for all interfaces, 127.0.0.1 to keep it to the device itself.</summary>
    public string Address { get; set; } = "0.0.0.0";

    public int Port { get; set; } = 8080;

    /// <summary>
    /// Serve HTTPS (the default: also for a file without a "web" section or without this field). Without
    /// <see cref="CertificateFile"/> a self-signed certificate is generated on first start and kept beside the
    /// configuration (web-cert.pem, web-key.pem), its SHA-256 fingerprint logged. Plain HTTP only when a file says
    /// <c>"https": false</c>: the admin password, the session cookie and the API tokens then cross the network in clear.
    /// </summary>
    public bool Https { get; set; } = true;

    /// <summary>PEM certificate for HTTPS (the chain may follow it in the same file).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key matching <see cref="CertificateFile"/>.</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>A page session ends after this many minutes without a request.</summary>
    public int SessionIdleMinutes { get; set; } = 30;

    /// <summary>
    /// Names the page and API answer to besides an IP address, localhost and the device's own host name (and NAME.local):
    /// the name of a reverse proxy or of a DNS entry for the station. Requests for any other Host are refused (421), so a
    /// page of another site cannot reach the station through the resident's browser by DNS rebinding.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// Accept SIP over WebSocket (RFC 7118) at <c>/sip</c> on this port, for browser phones (JsSIP, SIP.js): "wss" over
    /// HTTPS. Off by default. Every SIP request over it authenticates as over UDP, TCP or TLS (station.incoming.auth's
    /// digest; a WebSocket is never a trusted source), and a browser's handshake must come from the station's own origin.
    /// </summary>
    public bool SipWebSocket { get; set; }

    /// <summary>
    /// Also accept SIP over a plain WebSocket ("ws") when <see cref="Https"/> is off. Digest challenges, SDP and the call's
    /// signalling then cross the network in clear, and browsers give no microphone to a page outside a secure context.
    /// </summary>
    public bool SipWebSocketPlain { get; set; }
}
