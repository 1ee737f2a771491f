using System.Globalization;
using System.Text;

namespace Intercom.Media.Sdp;

/// <summary>One media section (m= line and what follows it, RFC 8866 §5.14).</summary>
public sealed class MediaDescription
{
    /// <summary>Creates a media section.</summary>
    public MediaDescription(string media, int port, string protocol)
    {
        Media = media;
        Port = port;
        Protocol = protocol;
    }

    /// <summary>"audio", "video", ...</summary>
    public string Media { get; }

    /// <summary>Transport port; 0 means the stream is declined or removed (RFC 3264 §6, §8.2).</summary>
    public int Port { get; set; }

    /// <summary>The "/number of ports" suffix, 1 when absent.</summary>
    public int PortCount { get; set; } = 1;

    /// <summary>"RTP/AVP", "RTP/SAVP", ...</summary>
    public string Protocol { get; }

    /// <summary>Format list of the m= line: RTP payload type numbers for RTP profiles, in preference order.</summary>
    public IList<string> Formats { get; } = new List<string>();

    /// <summary>Media-level c= line, if any.</summary>
    public SdpConnection? Connection { get; set; }

    /// <summary>b= lines, without the "b=".</summary>
    public IList<string> Bandwidths { get; } = new List<string>();

    /// <summary>a= lines in order.</summary>
    public IList<SdpAttribute> Attributes { get; } = new List<SdpAttribute>();

    /// <summary>True if the protocol is an RTP profile (RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF).</summary>
    public bool IsRtp => Protocol.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value of the first attribute named <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? GetAttribute(string name)
    {
        foreach (SdpAttribute attribute in Attributes)
        {
            if (string.Equals(attribute.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return attribute.Value ?? string.Empty;
            }
        }

        return null;
    }

    /// <summary>True if an attribute named <paramref name="name"/> is present.</summary>
    public bool HasAttribute(string name) => GetAttribute(name) is not null;

    /// <summary>The direction attribute of this section, or null if it has none (then the session-level one applies).</summary>
    public MediaDirection? Direction
    {
        get
        {
            foreach (SdpAttribute attribute in Attributes)
            {
                if (TryParseDirection(attribute.Name, out MediaDirection direction))
                {
                    return direction;
                }
            }

            return null;
        }
    }

    /// <summary>Maps a direction attribute name to its value.</summary>
    public static bool TryParseDirection(string name, out MediaDirection direction)
    {
        switch (name.ToLowerInvariant())
        {
            case "sendrecv": direction = MediaDirection.SendReceive; return true;
            case "sendonly": direction = MediaDirection.SendOnly; return true;
            case "recvonly": direction = MediaDirection.ReceiveOnly; return true;
            case "inactive": direction = MediaDirection.Inactive; return true;
            default: direction = MediaDirection.SendReceive; return false;
        }
    }

    /// <summary>The attribute name of a direction.</summary>
    public static string DirectionName(MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.ReceiveOnly => "recvonly",
        MediaDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    /// <summary>
    /// Describes payload type <paramref name="payloadType"/>: from its a=rtpmap, else from the static table of
    /// RFC 3551 §6 for the audio types this library knows. Null if unknown.
    /// </summary>
    public MediaFormat? GetFormat(int payloadType)
    {
        string prefix = payloadType.ToString(CultureInfo.InvariantCulture);
        string? parameters = null;
        MediaFormat? mapped = null;
        foreach (SdpAttribute attribute in Attributes)
        {
            if (attribute.Value is null || !attribute.Value.StartsWith(prefix, StringComparison.Ordinal)
                || attribute.Value.Length <= prefix.Length || attribute.Value[prefix.Length] != ' ')
            {
                continue;
            }

            string rest = attribute.Value[(prefix.Length + 1)..].Trim();
            if (string.Equals(attribute.Name, "rtpmap", StringComparison.OrdinalIgnoreCase))
            {
                mapped ??= ParseRtpMap(payloadType, rest);
            }
            else if (string.Equals(attribute.Name, "fmtp", StringComparison.OrdinalIgnoreCase))
            {
                parameters ??= rest;
            }
        }

        mapped ??= MediaFormat.FromStaticPayloadType(payloadType);
        return mapped is null ? null : mapped with { Parameters = parameters };
    }

    /// <summary>The a=ptime value in milliseconds, or null.</summary>
    public int? PacketTime =>
        int.TryParse(GetAttribute("ptime"), NumberStyles.None, CultureInfo.InvariantCulture, out int ptime) && ptime is > 0 and <= 1000
            ? ptime
            : null;

    /// <summary>Appends this section in wire form (CRLF line ends).</summary>
    public void AppendTo(StringBuilder builder)
    {
        builder.Append("m=").Append(Media).Append(' ').Append(Port.ToString(CultureInfo.InvariantCulture));
        if (PortCount > 1)
        {
            builder.Append('/').Append(PortCount.ToString(CultureInfo.InvariantCulture));
        }

        builder.Append(' ').Append(Protocol);
        foreach (string format in Formats)
        {
            builder.Append(' ').Append(format);
        }

        builder.Append("\r\n");
        if (Connection is not null)
        {
            builder.Append("c=").Append(Connection.ToString()).Append("\r\n");
        }

        foreach (string bandwidth in Bandwidths)
        {
            builder.Append("b=").Append(bandwidth).Append("\r\n");
        }

        foreach (SdpAttribute attribute in Attributes)
        {
            builder.Append("a=").Append(attribute.ToString()).Append("\r\n");
        }
    }

    private static MediaFormat? ParseRtpMap(int payloadType, string value)
    {
        // encoding name "/" clock rate [ "/" encoding parameters ] (RFC 8866 §6.6)
        string[] parts = value.Split('/');
        if (parts.Length < 2 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int clockRate) || clockRate <= 0)
        {
            return null;
        }

        int channels = 1;
        if (parts.Length > 2 && (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out channels) || channels <= 0))
        {
            return null;
        }

        return new MediaFormat(payloadType, parts[0], clockRate, channels);
    }
}
