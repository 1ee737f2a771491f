using System.Net;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Security.Tests.Admission;

/// <summary>
/// The station registered at Kamailio (which authenticates its users' INVITEs with 407), the resident on its allowlist:
/// an attacker who knows the resident's address-of-record sends INVITEs straight to the station from another host
/// (127.0.0.5, not the registrar's address). The one claiming the allowlisted resident gets exactly the answer one
/// claiming a stranger gets — 403, no call, no door — while the real resident calling through Kamailio is answered and
/// opens the door with the code.
/// </summary>
public sealed class RegisteredStationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Code = "2580";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-admission-").FullName;
    private Kamailio _kamailio = null!;

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"));
        _kamailio.Users["door"] = "door-secret-Admission-1";
        _kamailio.Users["resident"] = "resident-secret-2";
        await _kamailio.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string StationConfiguration(int port)
    {
        var domain = $"127.0.0.1:{_kamailio.UdpPort}";
        var rtp = 30000 + (port % 50) * 100;
        return $$"""
            {
              "name": "Admission door",
              "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": {{port}} } ] },
              "accounts": [ { "id": "pbx", "aor": "sip:door@{{domain}}", "outboundProxy": "sip:{{domain}}", "password": "door-secret-Admission-1",
                              "expiresSeconds": 300 } ],
              "media": { "rtpPortMin": {{rtp}}, "rtpPortMax": {{rtp + 99}}, "codecs": [ "pcmu" ] },
              "audio": { "driver": "null" },
              "station": {
                "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@{{domain}}" ] } ],
                "codes": [ { "id": "resident", "code": "{{Code}}", "relay": "door" } ],
                "incoming": { "allowlist": [ "sip:resident@{{domain}}" ], "autoAnswer": true, "announcementBeep": false },
                "eventLog": { "persistPath": null }
              },
              "web": { "enabled": false }
            }
            """;
    }

    [Fact]
    public async Task A_forged_allowlisted_from_sent_past_the_registrar_gets_the_strangers_403_and_the_real_resident_still_opens_the_door()
    {
        var port = FreePort.Next();
        await using var station = await AotStation.StartAsync(StationConfiguration(port));
        await station.WaitForLineAsync(@"Registration: registered \(", Wait);
        var target = new IPEndPoint(IPAddress.Loopback, port);

        // Straight to the station from 127.0.0.5: the allowlisted resident's AOR, then a stranger's.
        using var attacker = new SipAttacker("127.0.0.5", target);
        var forged = await attacker.InviteAsync($"sip:resident@127.0.0.1:{_kamailio.UdpPort}");
        var forgedInfo = await forged.SendInfoDigitsAsync(Code);
        await forged.HangUpAsync();
        var stranger = await attacker.InviteAsync($"sip:stranger@127.0.0.1:{_kamailio.UdpPort}");
        await stranger.HangUpAsync();
        output.WriteLine($"forged resident: {forged.Final?.Split("\r\n")[0] ?? "(nothing)"}, INFO [{string.Join(", ", forgedInfo)}]");
        output.WriteLine($"stranger:        {stranger.Final?.Split("\r\n")[0] ?? "(nothing)"}");

        Assert.Equal(0, station.DoorOpenings());
        Assert.False(forged.Answered, $"the forged INVITE was answered: {forged.Final?.Split("\r\n")[0]}");
        Assert.Equal(403, forged.Status);
        // No enumeration: the same status, reason and headers whoever the From names.
        Assert.Equal(SipAttacker.Shape(stranger.Final), SipAttacker.Shape(forged.Final));

        // The real resident, through Kamailio (challenged there with 407): answered, and the code opens the door.
        await using var resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:resident@127.0.0.1:{_kamailio.UdpPort}>;auth_pass=resident-secret-2;answermode=manual;regint=600;audio_codecs=PCMU");
        await resident.StartAsync();
        await resident.WaitForRegistrationAsync(Wait);
        await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{_kamailio.UdpPort}");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await resident.CommandAsync("sndcode", Code);
        await station.WaitForLineAsync(@"Relay: door energised\b", Wait);
        await resident.CommandAsync("hangup");
        await resident.WaitForEventAsync("CALL_CLOSED", Wait);
        output.WriteLine(station.Tail(40));

        Assert.Equal(1, station.DoorOpenings());
        Assert.Equal(1, station.Count("auto-answered"));
    }
}
