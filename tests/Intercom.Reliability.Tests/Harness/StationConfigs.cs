using Intercom.Configuration;
using Intercom.Station.Configuration;

namespace Intercom.Reliability.Tests.Harness;

/// <summary>Station configurations the reliability tests start from.</summary>
public static class StationConfigs
{
    public const string DoorCode = "7391";
    public const string ResidentUser = "resident";

    /// <summary>
    /// A station on 127.0.0.1:<paramref name="sipPort"/> (UDP and TCP) that auto-answers the resident at 127.0.0.1
    /// (any port) calling directly from loopback (a trusted source: 127.0.0.0/8), opens the door with
    /// <see cref="DoorCode"/>, and rings the resident at <paramref name="residentUri"/>.
    /// </summary>
    public static IntercomConfig Direct(int sipPort, string residentUri)
    {
        var config = new IntercomConfig { Name = "Reliability door" };
        config.Sip.Listen =
        [
            new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = sipPort },
            new SipListenerConfig { Transport = "tcp", Address = "127.0.0.1", Port = sipPort },
        ];
        config.Media.Codecs = ["pcmu"];
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [residentUri] }];
        config.Station.Relays.First(r => r.Id == "door").PulseMs = 300;
        config.Station.Codes = [new CodeConfig { Code = DoorCode, Relay = "door" }];
        config.Station.Incoming = new IncomingConfig
        {
            Allowlist = [$"sip:{ResidentUser}@127.0.0.1"], Sources = ["127.0.0.0/8"], AutoAnswer = true, AnnouncementBeep = false,
        };
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        var errors = ConfigValidator.Validate(config);
        return errors.Count == 0 ? config : throw new InvalidOperationException(string.Join("; ", errors));
    }
}
