using System.Diagnostics.CodeAnalysis;
using Intercom.Sip.Messages;

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// A Digest challenge from WWW-Authenticate (401) or Proxy-Authenticate (407): RFC 3261 §22.4 and §25.1 digest-cln,
/// RFC 2617 §3.2.1, RFC 7616 §3.3. Unknown auth-params are ignored (RFC 7616 §3.3), other schemes are skipped.
/// </summary>
public sealed class DigestChallenge
{
    /// <summary>Creates a challenge, as a server (<see cref="DigestVerifier"/>) sends it.</summary>
    public DigestChallenge(string realm, string nonce, DigestAlgorithm? algorithm = DigestAlgorithm.Md5, bool qopAuth = true)
    {
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        Realm = realm;
        Nonce = nonce;
        AlgorithmName = algorithm?.ToToken();
        Algorithm = algorithm ?? DigestAlgorithm.Md5;
        OffersAuth = qopAuth;
    }

    /// <summary>The protection space (RFC 7616 §3.3 realm); credentials are chosen by it.</summary>
    public string Realm { get; }

    /// <summary>The server's nonce.</summary>
    public string Nonce { get; }

    /// <summary>Opaque data to echo unchanged, or null.</summary>
    public string? Opaque { get; init; }

    /// <summary>The algorithm token as written, or null when absent (then MD5 applies, RFC 2617 §3.2.1).</summary>
    public string? AlgorithmName { get; private init; }

    /// <summary>The algorithm; meaningful only when <see cref="IsAlgorithmSupported"/>.</summary>
    public DigestAlgorithm Algorithm { get; private init; }

    /// <summary>False when the challenge names an algorithm this stack does not implement (e.g. SHA-512-256).</summary>
    public bool IsAlgorithmSupported { get; private init; } = true;

    /// <summary>True when the challenge carried a qop list (RFC 2617); false means RFC 2069 compatibility.</summary>
    public bool HasQop => OffersAuth || OffersAuthInt || QopUnsupported;

    /// <summary>qop list contains "auth".</summary>
    public bool OffersAuth { get; private init; }

    /// <summary>qop list contains "auth-int".</summary>
    public bool OffersAuthInt { get; private init; }

    /// <summary>stale=true: the previous credentials were right but the nonce expired; retry with this nonce (RFC 2617 §3.2.1).</summary>
    public bool Stale { get; init; }

    /// <summary>userhash=true: send H(username:realm) instead of the name (RFC 7616 §3.4.4).</summary>
    public bool UserHash { get; init; }

    /// <summary>The domain list, or null.</summary>
    public string? Domain { get; init; }

    /// <summary>True when a qop list was present but named neither auth nor auth-int.</summary>
    private bool QopUnsupported { get; init; }

    /// <summary>True when this stack can answer the challenge: a known algorithm, and either no qop or a qop it implements.</summary>
    public bool IsSupported => IsAlgorithmSupported && (!HasQop || OffersAuth || OffersAuthInt);

    /// <summary>Reads every Digest challenge of the named header (WWW-Authenticate or Proxy-Authenticate) in order; malformed ones and other schemes are skipped.</summary>
    public static IReadOnlyList<DigestChallenge> ParseAll(SipMessage message, string headerName)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = new List<DigestChallenge>();
        var values = new List<AuthHeaderValue>();
        foreach (string line in message.Headers.GetLines(headerName))
        {
            values.Clear();

            // A malformed line still yields the challenges before the fault; they were complete.
            _ = AuthHeaderValue.TryParseLine(line, values, out _);
            foreach (AuthHeaderValue value in values)
            {
                if (result.Count < AuthHeaderValue.MaxValuesPerLine * 2 && TryCreate(value, out DigestChallenge? challenge))
                {
                    result.Add(challenge);
                }
            }
        }

        return result;
    }

    /// <summary>Parses one header value holding one Digest challenge (the first Digest one if several).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out DigestChallenge? challenge)
    {
        var values = new List<AuthHeaderValue>();
        _ = AuthHeaderValue.TryParseLine(text, values, out _);
        foreach (AuthHeaderValue value in values)
        {
            if (TryCreate(value, out challenge))
            {
                return true;
            }
        }

        challenge = null;
        return false;
    }

    internal static bool TryCreate(AuthHeaderValue value, [NotNullWhen(true)] out DigestChallenge? challenge)
    {
        challenge = null;
        string? nonce = value.Get("nonce");
        if (!value.IsDigest || string.IsNullOrEmpty(nonce))
        {
            return false;
        }

        string? algorithmName = value.Get("algorithm");
        bool supported = true;
        DigestAlgorithm algorithm = DigestAlgorithm.Md5;
        if (algorithmName is not null)
        {
            supported = DigestAlgorithms.TryParse(algorithmName, out algorithm);
        }

        bool auth = false, authInt = false, other = false;
        if (value.Get("qop") is { } qop)
        {
            // qop-options = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT
            foreach (Range range in qop.AsSpan().Split(','))
            {
                ReadOnlySpan<char> option = qop.AsSpan()[range].Trim(" \t");
                if (option.Equals("auth", StringComparison.OrdinalIgnoreCase))
                {
                    auth = true;
                }
                else if (option.Equals("auth-int", StringComparison.OrdinalIgnoreCase))
                {
                    authInt = true;
                }
                else if (!option.IsEmpty)
                {
                    other = true;
                }
            }
        }

        challenge = new DigestChallenge(value.Get("realm") ?? string.Empty, nonce, null, auth)
        {
            AlgorithmName = algorithmName,
            Algorithm = algorithm,
            IsAlgorithmSupported = supported,
            OffersAuthInt = authInt,
            QopUnsupported = other && !auth && !authInt,
            Opaque = value.Get("opaque"),
            Stale = IsTrue(value.Get("stale")),
            UserHash = IsTrue(value.Get("userhash")),
            Domain = value.Get("domain"),
        };
        return true;
    }

    private static bool IsTrue(string? flag) => flag is not null && flag.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The challenge as written in WWW-Authenticate / Proxy-Authenticate.</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder(160);
        sb.Append("Digest realm=");
        SipGrammar.AppendQuoted(sb, Realm);
        sb.Append(", nonce=");
        SipGrammar.AppendQuoted(sb, Nonce);
        if (Opaque is not null)
        {
            sb.Append(", opaque=");
            SipGrammar.AppendQuoted(sb, Opaque);
        }

        if (Stale)
        {
            sb.Append(", stale=true");
        }

        if (AlgorithmName is not null)
        {
            sb.Append(", algorithm=").Append(AlgorithmName);
        }

        if (OffersAuth || OffersAuthInt)
        {
            sb.Append(", qop=\"").Append(OffersAuth && OffersAuthInt ? "auth,auth-int" : OffersAuth ? "auth" : "auth-int").Append('"');
        }

        return sb.ToString();
    }
}
