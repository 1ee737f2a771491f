using Intercom.Configuration;
using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Station.Configuration;

namespace Intercom.Interop.Tests.Peers;

/// <summary>
/// A station on loopback that takes the resident's calls, and the resident's dial to it. The station listens on UDP
/// 127.0.0.1, takes calls digest-authenticated as user "resident" and allowlisted for sip:resident@127.0.0.1, and
/// auto-answers them without the beep. Its one account registers nowhere; the account's NAT settings decide whether
/// calls are answered with ICE. Audio is null, the web page is off, and the ring group names a target nobody answers.
/// </summary>
public static class LoopbackDoor
{
    public const string Resident = "sip:resident@127.0.0.1";

    /// <summary>The configuration, for the test to add what is its own (codes, SRTP) before <see cref="Serialize"/>.</summary>
    public static IntercomConfig Config(string name, int sipPort, string residentPassword, SipAccountNatConfig nat, int rtpPortMin)
    {
        var config = new IntercomConfig { Name = name };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = sipPort }];
        config.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Username = "resident", Password = residentPassword };
        config.Accounts.Add(new SipAccountConfig { Id = "door", Aor = "sip:door@127.0.0.1", Register = false, Transport = "udp", Nat = nat });
        config.Media.RtpPortMin = rtpPortMin;
        config.Media.RtpPortMax = rtpPortMin + 99;
        config.Media.Codecs = ["pcmu"];
        config.Media.MediaTimeoutSeconds = 0;
        config.Audio.Driver = "null";
        config.Web.Enabled = false;
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = ["sip:resident@127.0.0.1:5999"] }];
        config.Station.Incoming = new IncomingConfig { Allowlist = [Resident], AutoAnswer = true, AnnouncementBeep = false };
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        return config;
    }

    /// <summary>The configuration file's text, once the station's own validation has nothing to say about it.</summary>
    public static string Serialize(IntercomConfig config)
    {
        var errors = ConfigValidator.Validate(config);
        return errors.Count == 0 ? ConfigLoader.Serialize(config) : throw new InvalidOperationException(string.Join("; ", errors));
    }

    /// <summary>The resident (<paramref name="sip"/>) calls the station at <paramref name="sipPort"/>, answering its challenge.</summary>
    public static SipCall Dial(SipStack sip, int sipPort, string residentPassword, IOfferAnswer media)
    {
        ArgumentNullException.ThrowIfNull(sip);
        var digest = new DigestAuthenticator(new DigestCredentials("resident", residentPassword));
        return sip.Agent.Dial(SipUri.Parse($"sip:door@127.0.0.1:{sipPort}"), new DialOptions
        {
            From = new SipNameAddress(SipUri.Parse(Resident), "Resident"),
            Media = media,
            Authorize = (request, challenge, _) => digest.HandleChallenge(request, challenge) == DigestChallengeOutcome.Authorized && digest.Authorize(request) > 0,
        });
    }
}
