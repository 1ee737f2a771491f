using Intercom.Configuration;
using Intercom.Sip.UserAgent.Authentication;

namespace Intercom.Phone;

/// <summary>The <c>sip.incomingAuth</c> section as the user agent's digest check of incoming calls (null when off).</summary>
internal static class SipIncomingAuth
{
    public static IncomingDigestAuthentication? FromConfig(SipIncomingAuthConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config is { Enabled: true, Username: { } user, Password: { } password }
            ? new IncomingDigestAuthentication(config.Realm, new DigestCredentials(user, password), time,
                [.. config.Algorithms.Select(a => a == "MD5" ? DigestAlgorithm.Md5 : DigestAlgorithm.Sha256)])
            : null;
    }
}
