using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Intercom.Sip.Messages;

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// Digest credentials as carried in Authorization / Proxy-Authorization (RFC 3261 §25.1 digest-response, RFC 7616 §3.4):
/// written by <see cref="DigestAuthenticator"/>, read by <see cref="DigestVerifier"/> and when a challenge repeats.
/// </summary>
public sealed class DigestAuthorization
{
    /// <summary>username, or H(username:realm) when <see cref="UserHash"/>.</summary>
    public required string Username { get; init; }

    /// <summary>realm.</summary>
    public required string Realm { get; init; }

    /// <summary>nonce from the challenge.</summary>
    public required string Nonce { get; init; }

    /// <summary>digest-uri: the Request-URI as written (RFC 3261 §22.4).</summary>
    public required string Uri { get; init; }

    /// <summary>request-digest, hex.</summary>
    public required string Response { get; init; }

    /// <summary>The algorithm token, or null when omitted (MD5).</summary>
    public string? AlgorithmName { get; init; }

    /// <summary>cnonce, with qop.</summary>
    public string? CNonce { get; init; }

    /// <summary>opaque echoed from the challenge.</summary>
    public string? Opaque { get; init; }

    /// <summary>"auth", "auth-int", or null (RFC 2069).</summary>
    public string? Qop { get; init; }

    /// <summary>nonce-count as sent: eight hex digits, or null without qop.</summary>
    public string? NonceCountText { get; init; }

    /// <summary>userhash=true.</summary>
    public bool UserHash { get; init; }

    /// <summary>nonce-count as a number; 0 when absent or malformed.</summary>
    public uint NonceCount =>
        NonceCountText is { Length: 8 } nc && uint.TryParse(nc, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint n) ? n : 0;

    /// <summary>Reads the Digest credentials of one Authorization / Proxy-Authorization value; false for other schemes or missing fields.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out DigestAuthorization? authorization)
    {
        authorization = null;
        var values = new List<AuthHeaderValue>(1);
        if (!AuthHeaderValue.TryParseLine(text, values, out _) || values.Count != 1 || !values[0].IsDigest)
        {
            return false;
        }

        AuthHeaderValue v = values[0];
        if (v.Get("username") is not { } username || v.Get("realm") is not { } realm || v.Get("nonce") is not { } nonce ||
            v.Get("uri") is not { } uri || v.Get("response") is not { } response)
        {
            return false;
        }

        authorization = new DigestAuthorization
        {
            Username = username,
            Realm = realm,
            Nonce = nonce,
            Uri = uri,
            Response = response,
            AlgorithmName = v.Get("algorithm"),
            CNonce = v.Get("cnonce"),
            Opaque = v.Get("opaque"),
            Qop = v.Get("qop"),
            NonceCountText = v.Get("nc"),
            UserHash = v.Get("userhash") is { } h && h.Equals("true", StringComparison.OrdinalIgnoreCase),
        };
        return true;
    }

    /// <summary>
    /// Every Digest credentials value in the request's <paramref name="headerName"/> lines (Authorization or
    /// Proxy-Authorization); each line holds one (RFC 3261 §20.7).
    /// </summary>
    public static IEnumerable<DigestAuthorization> ReadAll(SipMessage message, string headerName)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (string line in message.Headers.GetLines(headerName))
        {
            if (TryParse(line, out DigestAuthorization? authorization))
            {
                yield return authorization;
            }
        }
    }

    /// <summary>
    /// The header value (RFC 3261 §25.1): quoted strings for username, realm, nonce, uri, response, cnonce and opaque;
    /// tokens for algorithm, qop and nc (RFC 3261 §20.7 example; RFC 2617 §3.2.2 quotes none of the three).
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder(256);
        sb.Append("Digest username=");
        SipGrammar.AppendQuoted(sb, Username);
        sb.Append(", realm=");
        SipGrammar.AppendQuoted(sb, Realm);
        sb.Append(", nonce=");
        SipGrammar.AppendQuoted(sb, Nonce);
        sb.Append(", uri=");
        SipGrammar.AppendQuoted(sb, Uri);
        sb.Append(", response=\"").Append(Response).Append('"');
        if (AlgorithmName is not null)
        {
            sb.Append(", algorithm=").Append(AlgorithmName);
        }

        if (Qop is not null)
        {
            sb.Append(", qop=").Append(Qop).Append(", nc=").Append(NonceCountText).Append(", cnonce=");
            SipGrammar.AppendQuoted(sb, CNonce ?? string.Empty);
        }

        if (Opaque is not null)
        {
            sb.Append(", opaque=");
            SipGrammar.AppendQuoted(sb, Opaque);
        }

        if (UserHash)
        {
            sb.Append(", userhash=true");
        }

        return sb.ToString();
    }
}
