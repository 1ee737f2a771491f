using System.Net;
using System.Net.Sockets;

namespace Intercom.Station.Configuration;

/// <summary>An entry of station.incoming.sources: an IPv4/IPv6 address, or a network in CIDR form.</summary>
public static class SourceNetwork
{
    /// <summary>Most entries station.incoming.sources may hold.</summary>
    public const int MaxEntries = 64;

    /// <summary>
    /// Parses "192.168.1.20" (one address: /32, or /128 for IPv6) or "10.0.0.0/24". A network with bits set below its
    /// prefix ("10.0.0.1/24") is refused rather than widened silently: it usually means a mistyped prefix.
    /// </summary>
    /// <returns>False with <paramref name="reason"/> (which repeats the entry, never a secret) when it is not one.</returns>
    public static bool TryParse(string? text, out IPNetwork network, out string reason)
    {
        network = default;
        reason = "";
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64 || text.AsSpan().Trim().Length != text.Length)
        {
            reason = "expected an IP address or a network (CIDR, e.g. 192.168.1.0/24)";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        // IPAddress.TryParse takes "10" for 0.0.0.10 and accepts a scope or port in IPv6; only plain literals here.
        if (addressText.Contains('%', StringComparison.Ordinal) || addressText.Contains('[', StringComparison.Ordinal)
            || !IPAddress.TryParse(addressText, out var address)
            || (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            reason = $"'{text}' is not an IP address or a network (CIDR, e.g. 192.168.1.0/24)";
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix)
            || prefix > bits))
        {
            reason = $"'{text}': the prefix length must be 0-{bits}";
            return false;
        }

        if (prefix == 0)
        {
            reason = $"'{text}' trusts every address: list the networks your phones are on";
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            reason = $"'{text}': write the IPv4 address as it is ({address.MapToIPv4()})";
            return false;
        }

        var bytes = address.GetAddressBytes();
        var masked = (byte[])bytes.Clone();
        for (var i = 0; i < masked.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            masked[i] &= (byte)(0xFF << (8 - keep));
        }

        if (!masked.AsSpan().SequenceEqual(bytes))
        {
            reason = $"'{text}' has address bits below its /{prefix} prefix: did you mean {new IPAddress(masked)}/{prefix}?";
            return false;
        }

        network = new IPNetwork(address, prefix);
        return true;
    }
}
