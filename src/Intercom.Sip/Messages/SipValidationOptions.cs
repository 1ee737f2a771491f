namespace Intercom.Sip.Messages;

/// <summary>What the validating element supports; the defaults describe the door station's user agent.</summary>
public sealed record SipValidationOptions
{
    /// <summary>Defaults for a user agent server.</summary>
    public static SipValidationOptions Default { get; } = new();

    /// <summary>True to apply a proxy's checks (Proxy-Require, Max-Forwards 0 → 483, RFC 3261 §16.3) instead of a UAS's.</summary>
    public bool IsProxy { get; init; }

    /// <summary>Request-URI schemes served; others get 416 (RFC 3261 §8.2.2.1).</summary>
    public IReadOnlyList<string> SupportedSchemes { get; init; } = ["sip", "sips"];

    /// <summary>Methods implemented; an unknown one gets 501, a known but unhandled one 405 (RFC 3261 §8.2.1).</summary>
    public IReadOnlyList<string> AllowedMethods { get; init; } =
        [SipMethods.Invite, SipMethods.Ack, SipMethods.Bye, SipMethods.Cancel, SipMethods.Options, SipMethods.Info,
         SipMethods.Update, SipMethods.Prack];

    /// <summary>Option tags understood in Require/Proxy-Require; others get 420 (RFC 3261 §8.2.2.3).</summary>
    public IReadOnlyList<string> SupportedExtensions { get; init; } = ["100rel", "timer"];

    /// <summary>Body types understood; others get 415 (RFC 3261 §8.2.3). Checked only for requests with a body.</summary>
    public IReadOnlyList<string> SupportedContentTypes { get; init; } = ["application/sdp", "application/dtmf-relay", "text/plain", "message/sipfrag"];
}
