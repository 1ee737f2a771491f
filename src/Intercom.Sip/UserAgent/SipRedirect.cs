using System.Globalization;
using Intercom.Sip.Messages;

namespace Intercom.Sip.UserAgent;

/// <summary>
/// The targets a 3xx response names (RFC 3261 §8.1.3.4): its Contact URIs, highest q first (equal q keep the order the
/// redirect gave). Only sip/sips URIs are kept: a tel: or http: Contact is nothing a SIP user agent can call, and a
/// Contact with a q of 0 is one the redirecting party ranks last but still offers.
/// </summary>
public static class SipRedirect
{
    /// <summary>At most this many targets are taken from one response: a redirect is a hint, not a fan-out list.</summary>
    public const int MaxTargets = 8;

    public static IReadOnlyList<SipUri> Targets(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var ranked = new List<(SipUri Uri, double Q, int Order)>();
        var contacts = response.Contacts;
        for (var i = 0; i < contacts.Count && ranked.Count < MaxTargets; i++)
        {
            var contact = contacts[i];
            if (!contact.Uri.IsSip)
            {
                continue;
            }

            ranked.Add((contact.Uri, Quality(contact.Parameters.Get("q")), i));
        }

        ranked.Sort(static (a, b) => b.Q != a.Q ? b.Q.CompareTo(a.Q) : a.Order.CompareTo(b.Order));
        return [.. ranked.Select(r => r.Uri)];
    }

    // §20.10: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); absent means 1 here (RFC 3261 leaves the
    // default to the UA; ranking an unranked Contact first follows what the redirecting party wrote first).
    private static double Quality(string? q) =>
        q is not null && double.TryParse(q, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : 1.0;
}
