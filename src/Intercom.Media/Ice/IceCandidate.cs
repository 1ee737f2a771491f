using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;

namespace Intercom.Media.Ice;

/// <summary>
/// One ICE candidate as SDP carries it (RFC 8839 §5.1, the value of `a=candidate:`):
/// <c>foundation component transport priority address port typ TYPE [raddr A rport P] *(name value)</c>.
/// The address may be a host name: browsers hide their interfaces behind mDNS names ending in `.local`.
/// </summary>
public sealed class IceCandidate
{
    /// <summary>The longest value read: real candidates are under 200 characters; this bounds a hostile SDP's cost.</summary>
    public const int MaxLength = 1024;

    /// <summary>The most extension pairs read (browsers send about five: generation, ufrag, network-id, network-cost, tcptype).</summary>
    public const int MaxExtensions = 16;

    /// <summary>RFC 8445 §5.1.2.1: a priority is 1 to 2^31 − 1, which keeps a pair's priority (§6.1.2.3) within 64 bits.</summary>
    public const uint MaxPriority = int.MaxValue;

    /// <summary>Groups candidates of the same type, base and server for the freezing algorithm (RFC 8445 §5.1.1.3).</summary>
    public required string Foundation { get; init; }

    /// <summary>1 for RTP, 2 for RTCP when it is not multiplexed (RFC 8445 §4).</summary>
    public required int ComponentId { get; init; }

    /// <summary>`UDP` for the candidates this station uses; `TCP` (RFC 6544) is read and kept for what it is.</summary>
    public required string Transport { get; init; }

    /// <summary>RFC 8445 §5.1.2 priority.</summary>
    public required uint Priority { get; init; }

    /// <summary>The address as written: an IP literal or a host name.</summary>
    public required string ConnectionAddress { get; init; }

    /// <summary>The address when <see cref="ConnectionAddress"/> is an IP literal, else null (a name to resolve, e.g. mDNS).</summary>
    public IPAddress? Address { get; init; }

    /// <summary>The port; 9 for TCP active candidates (RFC 6544 §4.5).</summary>
    public required int Port { get; init; }

    /// <summary>Where the address came from.</summary>
    public required IceCandidateType Type { get; init; }

    /// <summary>`raddr`: the base of a reflexive candidate, the mapped address of a relayed one (RFC 8839 §5.1); may be hidden as 0.0.0.0.</summary>
    public string? RelatedAddress { get; init; }

    /// <summary>`rport`, with <see cref="RelatedAddress"/>.</summary>
    public int? RelatedPort { get; init; }

    /// <summary>Extension pairs in the order written (`generation 0`, `tcptype passive`, ...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; init; } = [];

    /// <summary>True for UDP candidates, the only ones this station checks.</summary>
    public bool IsUdp => Transport.Equals("UDP", StringComparison.OrdinalIgnoreCase);

    /// <summary>The `typ` token of a type (RFC 8839 §5.1).</summary>
    public static string TypeName(IceCandidateType type) => type switch
    {
        IceCandidateType.Host => "host",
        IceCandidateType.ServerReflexive => "srflx",
        IceCandidateType.PeerReflexive => "prflx",
        IceCandidateType.Relayed => "relay",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Reads the value of an `a=candidate` attribute (without the `candidate:` name).</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out IceCandidate? candidate, out IceCandidateParseError error)
    {
        candidate = null;
        if (value.Length > MaxLength)
        {
            error = IceCandidateParseError.TooLong;
            return false;
        }

        var fields = new FieldReader(value);
        if (!fields.Next(out ReadOnlySpan<char> foundation) || !fields.Next(out ReadOnlySpan<char> component)
            || !fields.Next(out ReadOnlySpan<char> transport) || !fields.Next(out ReadOnlySpan<char> priority)
            || !fields.Next(out ReadOnlySpan<char> address) || !fields.Next(out ReadOnlySpan<char> port)
            || !fields.Next(out ReadOnlySpan<char> typ) || !fields.Next(out ReadOnlySpan<char> type))
        {
            error = IceCandidateParseError.MissingField;
            return false;
        }

        if (foundation.Length > 32 || !IceGrammar.IsIceChars(foundation))
        {
            error = IceCandidateParseError.BadFoundation;
            return false;
        }

        if (component.Length > 3 || !IceGrammar.TryDigits(component, out ulong componentId) || componentId is < 1 or > 256)
        {
            error = IceCandidateParseError.BadComponent;
            return false;
        }

        if (!IceGrammar.IsToken(transport))
        {
            error = IceCandidateParseError.BadTransport;
            return false;
        }

        if (priority.Length > 10 || !IceGrammar.TryDigits(priority, out ulong priorityValue) || priorityValue is < 1 or > MaxPriority)
        {
            error = IceCandidateParseError.BadPriority;
            return false;
        }

        if (!IceGrammar.TryConnectionAddress(address, out IPAddress? ip))
        {
            error = IceCandidateParseError.BadAddress;
            return false;
        }

        if (!IceGrammar.TryPort(port, out int portValue))
        {
            error = IceCandidateParseError.BadPort;
            return false;
        }

        if (!typ.SequenceEqual("typ") || !IceGrammar.IsToken(type))
        {
            error = IceCandidateParseError.BadType;
            return false;
        }

        if (!TryType(type, out IceCandidateType candidateType))
        {
            error = IceCandidateParseError.UnknownType;
            return false;
        }

        string? relatedAddress = null;
        int? relatedPort = null;
        List<KeyValuePair<string, string>>? extensions = null;
        while (fields.Next(out ReadOnlySpan<char> name))
        {
            if (!fields.Next(out ReadOnlySpan<char> extensionValue))
            {
                error = name.SequenceEqual("raddr") || name.SequenceEqual("rport")
                    ? IceCandidateParseError.BadRelatedAddress
                    : IceCandidateParseError.BadExtension;
                return false;
            }

            if (name.SequenceEqual("raddr"))
            {
                if (relatedAddress is not null || !IceGrammar.TryConnectionAddress(extensionValue, out _))
                {
                    error = IceCandidateParseError.BadRelatedAddress;
                    return false;
                }

                relatedAddress = extensionValue.ToString();
            }
            else if (name.SequenceEqual("rport"))
            {
                if (relatedPort is not null || !IceGrammar.TryPort(extensionValue, out int related))
                {
                    error = IceCandidateParseError.BadRelatedAddress;
                    return false;
                }

                relatedPort = related;
            }
            else
            {
                // RFC 8839 §5.1: extension-att-value is 1*VCHAR, the name a token.
                if (!IceGrammar.IsToken(name) || (extensions?.Count ?? 0) >= MaxExtensions)
                {
                    error = (extensions?.Count ?? 0) >= MaxExtensions ? IceCandidateParseError.TooLong : IceCandidateParseError.BadExtension;
                    return false;
                }

                (extensions ??= []).Add(new(name.ToString(), extensionValue.ToString()));
            }
        }

        if ((relatedAddress is null) != (relatedPort is null))
        {
            error = IceCandidateParseError.BadRelatedAddress;
            return false;
        }

        candidate = new IceCandidate
        {
            Foundation = foundation.ToString(),
            ComponentId = (int)componentId,
            Transport = transport.ToString(),
            Priority = (uint)priorityValue,
            ConnectionAddress = address.ToString(),
            Address = ip,
            Port = portValue,
            Type = candidateType,
            RelatedAddress = relatedAddress,
            RelatedPort = relatedPort,
            Extensions = extensions ?? (IReadOnlyList<KeyValuePair<string, string>>)[],
        };
        error = IceCandidateParseError.None;
        return true;
    }

    /// <summary>The attribute's value, as <see cref="TryParse"/> reads it.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(96);
        text.Append(Foundation).Append(' ')
            .Append(ComponentId.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(Transport).Append(' ')
            .Append(Priority.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(ConnectionAddress).Append(' ')
            .Append(Port.ToString(CultureInfo.InvariantCulture))
            .Append(" typ ").Append(TypeName(Type));
        if (RelatedAddress is not null && RelatedPort is { } relatedPort)
        {
            text.Append(" raddr ").Append(RelatedAddress).Append(" rport ").Append(relatedPort.ToString(CultureInfo.InvariantCulture));
        }

        foreach (KeyValuePair<string, string> extension in Extensions)
        {
            text.Append(' ').Append(extension.Key).Append(' ').Append(extension.Value);
        }

        return text.ToString();
    }

    private static bool TryType(ReadOnlySpan<char> token, out IceCandidateType type)
    {
        // The type tokens are case-sensitive in RFC 8839's grammar (quoted strings in ABNF are not, but every
        // implementation writes them lower case); accept any case, as RFC 3261 §7 would for a token.
        if (token.Equals("host", StringComparison.OrdinalIgnoreCase))
        {
            type = IceCandidateType.Host;
        }
        else if (token.Equals("srflx", StringComparison.OrdinalIgnoreCase))
        {
            type = IceCandidateType.ServerReflexive;
        }
        else if (token.Equals("prflx", StringComparison.OrdinalIgnoreCase))
        {
            type = IceCandidateType.PeerReflexive;
        }
        else if (token.Equals("relay", StringComparison.OrdinalIgnoreCase))
        {
            type = IceCandidateType.Relayed;
        }
        else
        {
            type = default;
            return false;
        }

        return true;
    }

    /// <summary>Splits on single or repeated spaces (SP in the grammar; be liberal with runs of them).</summary>
    private ref struct FieldReader(ReadOnlySpan<char> text)
    {
        private ReadOnlySpan<char> _rest = text;

        public bool Next(out ReadOnlySpan<char> field)
        {
            _rest = _rest.TrimStart(' ');
            if (_rest.IsEmpty)
            {
                field = default;
                return false;
            }

            int end = _rest.IndexOf(' ');
            field = end < 0 ? _rest : _rest[..end];
            _rest = end < 0 ? default : _rest[end..];
            return true;
        }
    }
}
