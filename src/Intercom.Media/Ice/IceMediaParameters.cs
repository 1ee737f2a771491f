using System.Diagnostics.CodeAnalysis;
using Intercom.Media.Sdp;

namespace Intercom.Media.Ice;

/// <summary>
/// The ICE attributes of one media stream (RFC 8839 §5): credentials, candidates, options, whether the agent is lite,
/// whether more candidates will trickle, and rtcp-mux (RFC 5761 §5.1.3), read from an SDP or written into one.
/// </summary>
public sealed class IceMediaParameters
{
    /// <summary>The most candidates read per stream: a browser on a laptop offers under 10, this bounds a hostile SDP.</summary>
    public const int MaxCandidates = 32;

    /// <summary>Short-term credentials of this stream's checks.</summary>
    public required IceCredentials Credentials { get; init; }

    /// <summary>The candidates read or to write (component 1, and 2 without rtcp-mux).</summary>
    public IReadOnlyList<IceCandidate> Candidates { get; init; } = [];

    /// <summary>`a=ice-lite` at session level (RFC 8839 §5.3): the agent only answers checks, it sends none.</summary>
    public bool Lite { get; init; }

    /// <summary>`a=ice-options` tokens (e.g. `trickle`, `ice2`), session level then media level.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>`a=end-of-candidates` (RFC 8840 §8.2): no more will trickle.</summary>
    public bool EndOfCandidates { get; init; }

    /// <summary>`a=rtcp-mux` (RFC 5761): RTCP shares component 1's candidates.</summary>
    public bool RtcpMux { get; init; }

    /// <summary>
    /// `a=remote-candidates` (RFC 8839 §5.2): in the controlling peer's re-offer after its checks completed, the candidates
    /// of ours its nominated pairs use; empty when absent or malformed. Read only, never written: we do not re-offer after
    /// the checks (RFC 8445 leaves that updated offer optional).
    /// </summary>
    public IReadOnlyList<IceRemoteCandidate> RemoteCandidates { get; init; } = [];

    /// <summary>Candidates that were malformed or of an unknown type and so ignored (RFC 8839 §5.1): kept for the log.</summary>
    public int IgnoredCandidates { get; init; }

    /// <summary>
    /// Reads a stream's ICE attributes. False with a null <paramref name="error"/> when the peer does not do ICE (no
    /// ice-ufrag/ice-pwd anywhere: RFC 8445 §5.4 falls back to plain offer/answer); false with an error when its ICE
    /// attributes are unusable (e.g. a password too short to protect the checks).
    /// </summary>
    public static bool TryRead(SessionDescription session, MediaDescription media, [NotNullWhen(true)] out IceMediaParameters? ice, out string? error)
    {
        ice = null;
        error = null;
        string? ufrag = media.GetAttribute("ice-ufrag") ?? SessionAttribute(session, "ice-ufrag");
        string? password = media.GetAttribute("ice-pwd") ?? SessionAttribute(session, "ice-pwd");
        if (ufrag is null && password is null)
        {
            return false;
        }

        if (!IceCredentials.TryCreate(ufrag, password, out IceCredentials? credentials, out error))
        {
            return false;
        }

        var candidates = new List<IceCandidate>();
        int ignored = 0;
        foreach (SdpAttribute attribute in media.Attributes)
        {
            if (!attribute.Name.Equals("candidate", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (candidates.Count < MaxCandidates && IceCandidate.TryParse(attribute.Value, out IceCandidate? candidate, out _))
            {
                candidates.Add(candidate);
            }
            else
            {
                ignored++;
            }
        }

        var options = new List<string>();
        AddOptions(SessionAttribute(session, "ice-options"), options);
        AddOptions(media.GetAttribute("ice-options"), options);
        ice = new IceMediaParameters
        {
            Credentials = credentials,
            Candidates = candidates,
            Lite = SessionAttribute(session, "ice-lite") is not null,
            Options = options,
            EndOfCandidates = media.HasAttribute("end-of-candidates") || SessionAttribute(session, "end-of-candidates") is not null,
            RtcpMux = media.HasAttribute("rtcp-mux"),
            RemoteCandidates = IceRemoteCandidate.ParseList(media.GetAttribute("remote-candidates")),
            IgnoredCandidates = ignored,
        };
        return true;
    }

    /// <summary>
    /// RFC 8839 §4.4.1.1 (and RFC 8445 §5.4): the peer's default destination (`c=` and `m=` port) should be one of its
    /// candidates; when it is not, something on the path rewrote the SDP (a SIP ALG) and ICE must not be used.
    /// </summary>
    public bool ContainsDefaultDestination(SessionDescription session, MediaDescription media)
    {
        string? address = (media.Connection ?? session.Connection)?.Address;
        if (address is null)
        {
            return false;
        }

        foreach (IceCandidate candidate in Candidates)
        {
            if (candidate.ComponentId == 1 && candidate.Port == media.Port
                && string.Equals(candidate.ConnectionAddress, address, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes this stream's attributes into <paramref name="media"/> (and ice-lite into the session, where it belongs).</summary>
    public void WriteTo(SessionDescription session, MediaDescription media)
    {
        if (Lite && SessionAttribute(session, "ice-lite") is null)
        {
            session.Attributes.Add(new SdpAttribute("ice-lite"));
        }

        media.Attributes.Add(new SdpAttribute("ice-ufrag", Credentials.Ufrag));
        media.Attributes.Add(new SdpAttribute("ice-pwd", Credentials.Password));
        if (Options.Count > 0)
        {
            media.Attributes.Add(new SdpAttribute("ice-options", string.Join(' ', Options)));
        }

        foreach (IceCandidate candidate in Candidates)
        {
            media.Attributes.Add(new SdpAttribute("candidate", candidate.ToString()));
        }

        if (EndOfCandidates)
        {
            media.Attributes.Add(new SdpAttribute("end-of-candidates"));
        }

        if (RtcpMux && !media.HasAttribute("rtcp-mux"))
        {
            media.Attributes.Add(new SdpAttribute("rtcp-mux"));
        }
    }

    private static void AddOptions(string? value, List<string> options)
    {
        if (value is null)
        {
            return;
        }

        foreach (string option in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (options.Count < 8 && IceGrammar.IsToken(option) && !options.Contains(option))
            {
                options.Add(option);
            }
        }
    }

    private static string? SessionAttribute(SessionDescription session, string name)
    {
        foreach (SdpAttribute attribute in session.Attributes)
        {
            if (attribute.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return attribute.Value ?? string.Empty;
            }
        }

        return null;
    }
}
