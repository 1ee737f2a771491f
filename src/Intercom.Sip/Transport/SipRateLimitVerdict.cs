namespace Intercom.Sip.Transport;

/// <summary>What <see cref="SipSourceRateLimiter"/> decided for one received message.</summary>
public enum SipRateLimitVerdict
{
    /// <summary>Within the source's budget: processed as usual.</summary>
    Accept,

    /// <summary>Over budget: a request is answered 503 with Retry-After (anything else is dropped).</summary>
    Refuse,

    /// <summary>The source is blocked: dropped unread (over a stream, the connection is closed).</summary>
    Drop,
}
