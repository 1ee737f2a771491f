using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Intercom.Integrations.Webhooks;

/// <summary>
/// The X-Intercom-Signature header: "sha256=" and the hex HMAC-SHA256 (RFC 2104) of "TIMESTAMP.BODY" keyed with the
/// endpoint's secret, TIMESTAMP being the X-Intercom-Timestamp header (Unix seconds). Signing the timestamp with the body
/// lets a receiver refuse a replayed request by its age.
/// </summary>
public static class WebhookSignature
{
    public const string Prefix = "sha256=";

    public static string Compute(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var stamp = Encoding.ASCII.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[stamp.Length + body.Length];
        stamp.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(stamp.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>What a receiver does: recompute and compare in constant time.</summary>
    public static bool Verify(string secret, long unixSeconds, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, unixSeconds, body));
        var actual = Encoding.ASCII.GetBytes(header);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
