using Intercom.Media.Dtls;

namespace Intercom.Media.Sdp;

/// <summary>
/// The SDP of DTLS-SRTP: the UDP/TLS/RTP/SAVP(F) profiles (RFC 5764 §8), a=fingerprint (RFC 8122 §5, media or session
/// level) and a=setup (RFC 4145 §4, RFC 5763 §5: the offerer says actpass, the answerer active or passive).
/// </summary>
internal static class DtlsSdp
{
    /// <summary>The profile we offer (and answer with when offered it).</summary>
    public const string Protocol = "UDP/TLS/RTP/SAVP";

    /// <summary>UDP/TLS/RTP/SAVP or UDP/TLS/RTP/SAVPF (WebRTC's, RFC 5764 §9 with RFC 5124 feedback).</summary>
    public static bool IsDtlsSrtp(string protocol) =>
        protocol.Equals("UDP/TLS/RTP/SAVP", StringComparison.OrdinalIgnoreCase)
        || protocol.Equals("UDP/TLS/RTP/SAVPF", StringComparison.OrdinalIgnoreCase);

    /// <summary>The peer's usable a=fingerprint: the media level's first, else the session's (RFC 8122 §5).</summary>
    public static DtlsFingerprint? Fingerprint(SessionDescription session, MediaDescription media)
    {
        foreach (IList<SdpAttribute> attributes in new[] { media.Attributes, session.Attributes })
        {
            foreach (SdpAttribute attribute in attributes)
            {
                if (string.Equals(attribute.Name, "fingerprint", StringComparison.OrdinalIgnoreCase) && attribute.Value is not null
                    && DtlsFingerprint.TryParse(attribute.Value, out DtlsFingerprint? fingerprint))
                {
                    return fingerprint;
                }
            }
        }

        return null;
    }

    /// <summary>The peer's a=setup (media level, else session level), lower case; "active" when absent (RFC 4145 §4).</summary>
    public static string Setup(SessionDescription session, MediaDescription media)
    {
        string? value = media.GetAttribute("setup");
        if (value is null)
        {
            foreach (SdpAttribute attribute in session.Attributes)
            {
                if (string.Equals(attribute.Name, "setup", StringComparison.OrdinalIgnoreCase))
                {
                    value = attribute.Value;
                    break;
                }
            }
        }

        return (value ?? "active").Trim().ToLowerInvariant();
    }

    /// <summary>Our a=setup for a role: the client is the active end.</summary>
    public static string SetupOf(DtlsRole role) => role == DtlsRole.Client ? "active" : "passive";
}
