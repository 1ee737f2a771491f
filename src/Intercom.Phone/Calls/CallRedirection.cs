using Intercom.Sip.Messages;

namespace Intercom.Phone;

/// <summary>
/// Whether an outgoing leg follows a redirect (a desk phone forwarding to a mobile answers 302 with the mobile's URI),
/// and to where. RFC 3261 §8.1.3.4 leaves recursion to the client; a door station recurses within limits, because the
/// target of a redirect is chosen by whoever answered, and the station pays for (and opens the door to) whoever it calls:
/// <list type="bullet">
/// <item>only 300, 301 and 302: 305 (Use Proxy) would let the answerer pick our next hop, 380 is not a target;</item>
/// <item>at most <see cref="MaxHops"/> redirects per leg, and never a URI the leg already tried (a forwarding loop);</item>
/// <item>only to a target the configuration would call: on the host of the leg's configured target, or on a server one
/// of the station's accounts is at (its domain, registrar or outbound proxy). A redirect to anywhere else ends the leg
/// as the 3xx did.</item>
/// </list>
/// The leg keeps its handle, so the station's ring timeout for the step still bounds the whole chain.
/// </summary>
internal static class CallRedirection
{
    /// <summary>Redirects followed per leg at most.</summary>
    public const int MaxHops = 3;

    /// <summary>True when <paramref name="status"/> names targets the station may recurse on.</summary>
    public static bool Follows(int? status) => status is 300 or 301 or 302;

    /// <summary>
    /// The first of <paramref name="targets"/> (best first) the leg may call next, given the URI it was configured with and
    /// the URIs it already tried; false when none may be called.
    /// </summary>
    public static bool TryNext(IReadOnlyList<SipUri> targets, SipUri configured, IReadOnlyList<CallAccount> accounts,
        ICollection<string> tried, out SipUri next)
    {
        foreach (var target in targets)
        {
            var key = Key(target);
            if (tried.Contains(key) || !Allowed(target, configured, accounts))
            {
                continue;
            }

            next = target;
            return true;
        }

        next = null!;
        return false;
    }

    /// <summary>The form a URI is remembered in for loop detection: scheme, user, host and port, case-folded where RFC 3261 §19.1.4 compares without case.</summary>
    public static string Key(SipUri uri) =>
        $"{uri.Scheme}:{uri.User}@{uri.Host.ToLowerInvariant()}:{uri.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""}";

    private static bool Allowed(SipUri target, SipUri configured, IReadOnlyList<CallAccount> accounts)
    {
        if (string.IsNullOrEmpty(target.User))
        {
            // A bare host is a server, not a person to ring.
            return false;
        }

        if (string.Equals(target.Host, configured.Host, StringComparison.OrdinalIgnoreCase)
            && (configured.Port is null || target.Port is null || configured.Port == target.Port))
        {
            return true;
        }

        foreach (var account in accounts)
        {
            if (account.Serves(target))
            {
                return true;
            }
        }

        return false;
    }
}
