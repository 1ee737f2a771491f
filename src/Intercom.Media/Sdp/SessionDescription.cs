using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Intercom.Media.Sdp;

/// <summary>
/// An SDP session description (RFC 8866): parsed liberally (LF or CRLF, unknown lines and attributes kept or ignored, lines
/// out of the grammar's order accepted) within bounded sizes, and written strictly in the §9 order with CRLF.
/// </summary>
public sealed class SessionDescription
{
    /// <summary>Largest body accepted.</summary>
    public const int MaxLength = 64 * 1024;

    private const int MaxLines = 2048;
    private const int MaxMediaSections = 32;
    private const int MaxFormats = 128;

    /// <summary>Creates a description.</summary>
    public SessionDescription(SdpOrigin origin, string sessionName = "-")
    {
        Origin = origin;
        SessionName = sessionName;
    }

    /// <summary>The o= line.</summary>
    public SdpOrigin Origin { get; set; }

    /// <summary>The s= line ("-" or a space when there is nothing to say, §5.3).</summary>
    public string SessionName { get; set; }

    /// <summary>Session-level c= line.</summary>
    public SdpConnection? Connection { get; set; }

    /// <summary>Session-level b= lines.</summary>
    public IList<string> Bandwidths { get; } = new List<string>();

    /// <summary>The t= line; "0 0" is an unbounded session.</summary>
    public string Timing { get; set; } = "0 0";

    /// <summary>Session-level a= lines.</summary>
    public IList<SdpAttribute> Attributes { get; } = new List<SdpAttribute>();

    /// <summary>The media sections in order; their positions pair offer and answer (RFC 3264 §6).</summary>
    public IList<MediaDescription> Media { get; } = new List<MediaDescription>();

    /// <summary>The session-level direction attribute, or null.</summary>
    public MediaDirection? Direction
    {
        get
        {
            foreach (SdpAttribute attribute in Attributes)
            {
                if (MediaDescription.TryParseDirection(attribute.Name, out MediaDirection direction))
                {
                    return direction;
                }
            }

            return null;
        }
    }

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> names the line and the reason.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SessionDescription? description, [NotNullWhen(false)] out string? error)
    {
        description = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty body";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = "body too large";
            return false;
        }

        SessionDescription? session = null;
        MediaDescription? media = null;
        int lineNumber = 0;
        bool sawVersion = false;
        foreach (Range range in text.AsSpan().Split('\n'))
        {
            ReadOnlySpan<char> line = text.AsSpan()[range].TrimEnd('\r');
            if (++lineNumber > MaxLines)
            {
                error = "too many lines";
                return false;
            }

            if (line.IsWhiteSpace())
            {
                continue;
            }

            if (line.ContainsAny('\r', '\0'))
            {
                // RFC 4566 §5: no field holds CR or NUL; a bare CR inside a line would be written back as a line break
                // (found by fuzzing).
                error = $"line {lineNumber}: CR or NUL inside the line";
                return false;
            }

            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
            {
                error = $"line {lineNumber}: not of the form <type>=<value>";
                return false;
            }

            char type = line[0];
            ReadOnlySpan<char> value = line[2..];
            if (!sawVersion)
            {
                if (type != 'v' || !value.Trim().SequenceEqual("0"))
                {
                    error = "the first line must be v=0";
                    return false;
                }

                sawVersion = true;
                continue;
            }

            switch (type)
            {
                case 'o':
                    if (!TryParseOrigin(value, out SdpOrigin? origin))
                    {
                        error = $"line {lineNumber}: bad o= line";
                        return false;
                    }

                    if (session is not null)
                    {
                        error = $"line {lineNumber}: second o= line";
                        return false;
                    }

                    session = new SessionDescription(origin);
                    break;
                case 's':
                    if (session is not null && media is null)
                    {
                        session.SessionName = value.ToString();
                    }

                    break;
                case 'c':
                    if (!TryParseConnection(value, out SdpConnection? connection))
                    {
                        error = $"line {lineNumber}: bad c= line";
                        return false;
                    }

                    if (media is not null)
                    {
                        media.Connection = connection;
                    }
                    else if (session is not null)
                    {
                        session.Connection = connection;
                    }

                    break;
                case 'b':
                    (media?.Bandwidths ?? session?.Bandwidths)?.Add(value.ToString());
                    break;
                case 't':
                    if (session is not null && media is null)
                    {
                        session.Timing = value.ToString();
                    }

                    break;
                case 'a':
                    if (session is null)
                    {
                        break;
                    }

                    IList<SdpAttribute> attributes = media?.Attributes ?? session.Attributes;
                    if (attributes.Count >= 256)
                    {
                        error = $"line {lineNumber}: too many attributes";
                        return false;
                    }

                    int colon = value.IndexOf(':');
                    attributes.Add(colon < 0
                        ? new SdpAttribute(value.Trim().ToString())
                        : new SdpAttribute(value[..colon].Trim().ToString(), value[(colon + 1)..].ToString()));
                    break;
                case 'm':
                    if (session is null)
                    {
                        error = $"line {lineNumber}: m= before o=";
                        return false;
                    }

                    if (session.Media.Count >= MaxMediaSections)
                    {
                        error = $"line {lineNumber}: too many media sections";
                        return false;
                    }

                    if (!TryParseMedia(value, out media))
                    {
                        error = $"line {lineNumber}: bad m= line";
                        return false;
                    }

                    session.Media.Add(media);
                    break;
                default:
                    // i=, u=, e=, p=, r=, z=, k= and unknown types carry nothing this endpoint acts on (§5).
                    break;
            }
        }

        if (session is null)
        {
            error = sawVersion ? "no o= line" : "the first line must be v=0";
            return false;
        }

        description = session;
        error = null;
        return true;
    }

    /// <summary>The description in wire form.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(512);
        builder.Append("v=0\r\n");
        builder.Append("o=").Append(Origin.ToString()).Append("\r\n");
        builder.Append("s=").Append(SessionName.Length == 0 ? "-" : SessionName).Append("\r\n");
        if (Connection is not null)
        {
            builder.Append("c=").Append(Connection.ToString()).Append("\r\n");
        }

        foreach (string bandwidth in Bandwidths)
        {
            builder.Append("b=").Append(bandwidth).Append("\r\n");
        }

        builder.Append("t=").Append(Timing).Append("\r\n");
        foreach (SdpAttribute attribute in Attributes)
        {
            builder.Append("a=").Append(attribute.ToString()).Append("\r\n");
        }

        foreach (MediaDescription media in Media)
        {
            media.AppendTo(builder);
        }

        return builder.ToString();
    }

    private static bool TryParseOrigin(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpOrigin? origin)
    {
        origin = null;
        Span<Range> fields = stackalloc Range[7];
        int count = value.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count != 6
            || !ulong.TryParse(value[fields[1]], NumberStyles.None, CultureInfo.InvariantCulture, out ulong id)
            || !ulong.TryParse(value[fields[2]], NumberStyles.None, CultureInfo.InvariantCulture, out ulong version))
        {
            return false;
        }

        origin = new SdpOrigin(value[fields[0]].ToString(), id, version, value[fields[4]].ToString(), value[fields[5]].ToString());
        return true;
    }

    private static bool TryParseConnection(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpConnection? connection)
    {
        connection = null;
        Span<Range> fields = stackalloc Range[4];
        int count = value.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count != 3 || !value[fields[0]].Equals("IN", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string addressType = value[fields[1]].ToString().ToUpperInvariant();
        if (addressType is not ("IP4" or "IP6"))
        {
            return false;
        }

        // Multicast TTL / count suffixes ("/127") are not used for unicast calls; keep only the address.
        ReadOnlySpan<char> address = value[fields[2]];
        int slash = address.IndexOf('/');
        if (slash == 0)
        {
            // "c=IN IP4 /127": no address at all (found by fuzzing; it wrote back as an unparseable c= line).
            return false;
        }

        connection = new SdpConnection(addressType, (slash < 0 ? address : address[..slash]).ToString());
        return true;
    }

    private static bool TryParseMedia(ReadOnlySpan<char> value, [NotNullWhen(true)] out MediaDescription? media)
    {
        media = null;
        Span<Range> fields = stackalloc Range[MaxFormats + 4];
        int count = value.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count < 3 || count > MaxFormats + 3)
        {
            return false;
        }

        ReadOnlySpan<char> portField = value[fields[1]];
        int portCount = 1;
        int slash = portField.IndexOf('/');
        if (slash >= 0)
        {
            if (!int.TryParse(portField[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out portCount) || portCount < 1)
            {
                return false;
            }

            portField = portField[..slash];
        }

        if (!int.TryParse(portField, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            return false;
        }

        media = new MediaDescription(value[fields[0]].ToString(), port, value[fields[2]].ToString()) { PortCount = portCount };
        for (int i = 3; i < count; i++)
        {
            media.Formats.Add(value[fields[i]].ToString());
        }

        return true;
    }
}
