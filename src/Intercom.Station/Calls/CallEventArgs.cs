using System.Net;

namespace Intercom.Station.Calls;

/// <summary>One event on a call leg, raised by <see cref="ICallControl"/> into the station.</summary>
public sealed class CallEventArgs : EventArgs
{
    private CallEventArgs(CallEventKind kind, CallHandle call)
    {
        Kind = kind;
        Call = call;
    }

    /// <summary>What happened.</summary>
    public CallEventKind Kind { get; }

    /// <summary>The leg.</summary>
    public CallHandle Call { get; }

    /// <summary>For <see cref="CallEventKind.Ended"/>: why.</summary>
    public CallEndReason EndReason { get; private init; }

    /// <summary>For <see cref="CallEventKind.Ended"/>: the SIP final status if one caused it (486, 603, 408), else 0.</summary>
    public int SipStatus { get; private init; }

    /// <summary>For <see cref="CallEventKind.Dtmf"/>: 0-9 * # A-D.</summary>
    public char Digit { get; private init; }

    /// <summary>For <see cref="CallEventKind.Dtmf"/>: how it arrived.</summary>
    public DtmfSource DtmfSource { get; private init; }

    /// <summary>For <see cref="CallEventKind.Incoming"/>: the caller's URI (From); otherwise the remote target if known.</summary>
    public string? RemoteUri { get; private init; }

    /// <summary>For <see cref="CallEventKind.Incoming"/>: what vouches for the caller (by where the call came from).</summary>
    public CallerOrigin Origin { get; private init; }

    /// <summary>
    /// For <see cref="CallEventKind.Incoming"/>: the IP address the call really came from (its transport's source, not a
    /// header), when known. Wrong codes are counted against it across calls.
    /// </summary>
    public IPAddress? SourceAddress { get; private init; }

    /// <summary>An outgoing leg rings.</summary>
    public static CallEventArgs Ringing(CallHandle call) => new(CallEventKind.Ringing, call);

    /// <summary>A leg was answered / confirmed.</summary>
    public static CallEventArgs Answered(CallHandle call) => new(CallEventKind.Answered, call);

    /// <summary>A leg ended.</summary>
    public static CallEventArgs Ended(CallHandle call, CallEndReason reason, int sipStatus = 0) =>
        new(CallEventKind.Ended, call) { EndReason = reason, SipStatus = sipStatus };

    /// <summary>An outgoing leg follows a redirect to <paramref name="target"/>.</summary>
    public static CallEventArgs Redirected(CallHandle call, string target, int sipStatus) =>
        new(CallEventKind.Redirected, call) { RemoteUri = target, SipStatus = sipStatus };

    /// <summary>A DTMF digit arrived on a leg.</summary>
    public static CallEventArgs Dtmf(CallHandle call, char digit, DtmfSource source) =>
        new(CallEventKind.Dtmf, call) { Digit = digit, DtmfSource = source };

    /// <summary>
    /// Someone calls the station; <paramref name="origin"/> says what let them in (the SIP side's source check) and
    /// <paramref name="sourceAddress"/> where the INVITE really came from.
    /// </summary>
    public static CallEventArgs Incoming(CallHandle call, string callerUri, CallerOrigin origin, IPAddress? sourceAddress = null) =>
        new(CallEventKind.Incoming, call) { RemoteUri = callerUri, Origin = origin, SourceAddress = sourceAddress };
}
