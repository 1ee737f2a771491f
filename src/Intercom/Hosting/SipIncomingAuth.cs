using Intercom.Configuration;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;

namespace Intercom.Hosting;

/// <summary>The <c>sip.incomingAuth</c> section as the user agent's digest check of incoming calls (null when off).</summary>
internal static class SipIncomingAuth
{
    /// <summary>
    /// Puts a changed section in force at once: the user agent (on its loop) checks the next INVITE against a new check
    /// with new nonces; a call in progress is not touched.
    /// </summary>
    public static void Apply(SipStack sip, SipIncomingAuthConfig config)
    {
        ArgumentNullException.ThrowIfNull(sip);
        var authentication = FromConfig(config, sip.Agent.Loop.TimeProvider);
        sip.Agent.Loop.Post(() => sip.Agent.IncomingAuthentication = authentication);
    }

    public static IncomingDigestAuthentication? FromConfig(SipIncomingAuthConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config is { Enabled: true, Username: { } user, Password: { } password }
            ? new IncomingDigestAuthentication(config.Realm, new DigestCredentials(user, password), time,
                [.. config.Algorithms.Select(a => a == "MD5" ? DigestAlgorithm.Md5 : DigestAlgorithm.Sha256)])
            : null;
    }
}
