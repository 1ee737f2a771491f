using Intercom.Interop.Tests.Peers;

namespace Intercom.Security.Tests.Transport;

/// <summary>The PBX scenario of the transport tests: Kamailio, the resident's baresip registered there, the station's configuration.</summary>
public static class KamailioStation
{
    public const string DoorCode = "7391";
    private const string DoorPassword = "door-Secret-8832";
    private const string ResidentPassword = "resident-Secret-1177";

    /// <summary>Starts Kamailio with the door's and the resident's accounts, and the resident's baresip registered there.</summary>
    public static async Task<Baresip> StartPeersAsync(Kamailio kamailio, string directory, TimeSpan wait)
    {
        kamailio.Users["door"] = DoorPassword;
        kamailio.Users["resident"] = ResidentPassword;
        await kamailio.StartAsync();
        var resident = Baresip.Create(Path.Combine(directory, "resident"),
            $"<sip:resident@127.0.0.1:{kamailio.UdpPort}>;auth_pass={ResidentPassword};answermode=manual;regint=600;audio_codecs=PCMU");
        await resident.StartAsync();
        await resident.WaitForRegistrationAsync(wait);
        return resident;
    }

    /// <summary>
    /// A station on 127.0.0.1:<paramref name="port"/> (UDP and TCP) registered at <paramref name="kamailio"/> over
    /// <paramref name="transport"/>, which auto-answers the resident (through Kamailio) and opens the door with
    /// <see cref="DoorCode"/>; no web page.
    /// </summary>
    public static string Config(Kamailio kamailio, int port, string transport, string code = DoorCode)
    {
        var registrarPort = transport == "tcp" ? kamailio.TcpPort : kamailio.UdpPort;
        return $$"""
            {
              "name": "Transport attack",
              "sip": {
                "listen": [
                  { "transport": "udp", "address": "127.0.0.1", "port": {{port}} },
                  { "transport": "tcp", "address": "127.0.0.1", "port": {{port}} }
                ]
              },
              "accounts": [
                {
                  "id": "pbx", "aor": "sip:door@127.0.0.1", "registrar": "sip:127.0.0.1:{{registrarPort}};transport={{transport}}",
                  "transport": "{{transport}}", "username": "door", "password": "{{DoorPassword}}", "expiresSeconds": 300
                }
              ],
              "media": { "codecs": [ "pcmu" ] },
              "web": { "enabled": false },
              "station": {
                "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1:{{kamailio.UdpPort}}" ] } ],
                "codes": [ { "code": "{{code}}", "relay": "door" } ],
                "incoming": { "allowlist": [ "sip:resident@127.0.0.1:{{kamailio.UdpPort}}" ], "autoAnswer": true, "announcementBeep": false },
                "eventLog": { "persistPath": null }
              }
            }
            """;
    }
}
