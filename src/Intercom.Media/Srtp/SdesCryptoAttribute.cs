using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Intercom.Media.Srtp;

/// <summary>
/// An SDES a=crypto attribute value (RFC 4568 §9.1): "tag suite inline:key||salt[|lifetime][|MKI:length]".
/// Only a single inline key without MKI is used by this endpoint; a lifetime, if present, must allow at least 2^31 packets.
/// </summary>
public sealed record SdesCryptoAttribute(int Tag, SrtpCryptoSuite Suite, ReadOnlyMemory<byte> MasterKey)
{
    /// <summary>Master key (16) plus master salt (14) for AES_CM_128 suites.</summary>
    public const int KeyAndSaltLength = 30;

    /// <summary>The suite's name in SDP.</summary>
    public static string SuiteName(SrtpCryptoSuite suite) =>
        suite == SrtpCryptoSuite.AesCm128HmacSha1_32 ? "AES_CM_128_HMAC_SHA1_32" : "AES_CM_128_HMAC_SHA1_80";

    /// <summary>Parses the attribute value; false for unknown suites, session parameters we do not implement or bad keys.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out SdesCryptoAttribute? attribute)
    {
        attribute = null;
        string[] fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int tag)
            || tag > 999_999_999)
        {
            return false;
        }

        SrtpCryptoSuite suite;
        if (string.Equals(fields[1], "AES_CM_128_HMAC_SHA1_80", StringComparison.Ordinal))
        {
            suite = SrtpCryptoSuite.AesCm128HmacSha1_80;
        }
        else if (string.Equals(fields[1], "AES_CM_128_HMAC_SHA1_32", StringComparison.Ordinal))
        {
            suite = SrtpCryptoSuite.AesCm128HmacSha1_32;
        }
        else
        {
            return false;
        }

        // Session parameters (UNENCRYPTED_SRTP, KDR=, ...) change the transform; refuse rather than mis-key (§6.3).
        if (fields.Length > 3)
        {
            return false;
        }

        // Several keys may be joined by ';' only with MKIs, which we do not support (§6.1).
        string keyParameter = fields[2];
        if (!keyParameter.StartsWith("inline:", StringComparison.Ordinal) || keyParameter.Contains(';', StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = keyParameter["inline:".Length..].Split('|');
        if (parts.Length > 2 || (parts.Length == 2 && !LifetimeIsEnough(parts[1])))
        {
            return false;
        }

        byte[] key = new byte[KeyAndSaltLength + 3];
        if (!Convert.TryFromBase64String(parts[0], key, out int written) || written != KeyAndSaltLength)
        {
            return false;
        }

        attribute = new SdesCryptoAttribute(tag, suite, key.AsMemory(0, KeyAndSaltLength));
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Tag.ToString(CultureInfo.InvariantCulture)} {SuiteName(Suite)} inline:{Convert.ToBase64String(MasterKey.Span)}";

    private static bool LifetimeIsEnough(string lifetime)
    {
        // "2^31" style or a decimal count; a lifetime shorter than a long call would need re-keying we do not do.
        if (lifetime.StartsWith("2^", StringComparison.Ordinal))
        {
            return int.TryParse(lifetime.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int power) && power >= 31;
        }

        return ulong.TryParse(lifetime, NumberStyles.None, CultureInfo.InvariantCulture, out ulong count) && count >= 1UL << 31;
    }
}
