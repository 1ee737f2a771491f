namespace Intercom.Sip.UserAgent;

/// <summary>Settings of the user agent core.</summary>
public sealed class SipUserAgentOptions
{
    /// <summary>User part of our Contact URIs.</summary>
    public string ContactUser { get; init; } = "intercom";

    /// <summary>Sent as User-Agent in requests and Server in responses.</summary>
    public string Product { get; init; } = "Intercom";

    /// <summary>Session interval we ask for and accept (RFC 4028 §4); 0 turns session timers off.</summary>
    public int SessionExpiresSeconds { get; init; } = 1800;

    /// <summary>The smallest session interval we accept (RFC 4028 Min-SE; at least 90 s).</summary>
    public int MinSessionExpiresSeconds { get; init; } = 90;

    /// <summary>Methods we accept, for Allow headers (RFC 3261 §20.5).</summary>
    public string Allow { get; init; } = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK";

    /// <summary>
    /// Extensions we support (RFC 3261 §20.37): session timers and reliable provisionals. Only what is implemented:
    /// a peer that reads `replaces` here may send an INVITE with Replaces (RFC 3891) and expect it honoured.
    /// </summary>
    public string Supported { get; init; } = "timer, 100rel";
}
