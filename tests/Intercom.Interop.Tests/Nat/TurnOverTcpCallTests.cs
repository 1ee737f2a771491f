using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// Issue #19, a network that lets no UDP out (some corporate and guest networks): router A drops every UDP packet the
/// station sends. SIP goes over TCP to Kamailio, which is an RFC 5626 outbound registrar and edge (calls come back over
/// the station's connection); the station's media can only leave through a TURN allocation it holds over TCP (RFC 8656
/// §3.1, `turn:HOST?transport=tcp`, RFC 7065), whose relayed leg at coturn is UDP. The phone (baresip with ice and stun)
/// is on the internet; ICE must find the station's relayed candidate, and voice and the resident's code must travel
/// through it.
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class TurnOverTcpCallTests(ITestOutputHelper output) : IDisposable
{
    private const int FlowTimerSeconds = 20;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-turntcp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task With_udp_blocked_the_call_goes_through_a_tcp_turn_allocation_audio_flows_both_ways_and_the_code_opens_the_door()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent, turn: true, outboundFlowTimer: FlowTimerSeconds);
        await lab.StationRouter.BlockOutgoingUdpAsync();
        var (microphone, speaker) = IceLabCall.Audio(lab, seconds: 30);
        var config = JsonNode.Parse(NatCall.StationConfig(lab, microphone, speaker, stunServers: null))!;
        var account = NatCall.RegisterOverTcp(config, lab);
        account["nat"] = new JsonObject
        {
            ["turn"] = new JsonObject
            {
                ["servers"] = new JsonArray(JsonValue.Create(lab.Stun.TurnUri + "?transport=tcp")),
                ["username"] = NatLab.TurnUser,
                ["password"] = NatLab.TurnPassword,
            },
        };
        var call = await IceLabCall.RunAsync(lab, config, speaker, $";medianat=ice;stunserver={lab.Stun.Uri}", "module stun.so\nmodule ice.so", Wait);
        var station = call.Station;
        long droppedUdp = await lab.StationRouter.DroppedUdpAsync();
        var relayed = station.Process.Lines.FirstOrDefault(l => l.Contains("TURN relayed candidate", StringComparison.Ordinal));
        output.WriteLine(call.Registered);
        output.WriteLine(relayed ?? "no relayed candidate");
        output.WriteLine($"UDP packets from the station dropped by router A: {droppedUdp}");
        output.WriteLine("station:\n" + station.Process.Tail(60));
        output.WriteLine("coturn, about the station's router:\n" + string.Join('\n', lab.Stun.Process.Lines.Where(l =>
            l.Contains(NatLab.StationRouterAddress + ":", StringComparison.Ordinal))));
        output.WriteLine(call.ToString());

        // SIP over TCP, with the connection as the account's flow; the station's media through its relay on coturn,
        // allocated over TCP; what it tried over UDP was dropped.
        Assert.Contains("(outbound, flow TCP:", call.Registered, StringComparison.Ordinal);
        Assert.NotNull(relayed);
        Assert.EndsWith("(Tcp)", relayed.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains(lab.Stun.Process.Lines, l => l.Contains($"tcp or tls connected to: {NatLab.StationRouterAddress}:", StringComparison.Ordinal));
        Assert.True(droppedUdp > 0, "the station sent no UDP, so the block showed nothing");
        Assert.True(call.Pair.Success, call.Selected);
        Assert.Equal("relay", call.Pair.Groups["local"].Value);
        Assert.Equal(NatLab.ProviderAddress, call.Pair.Groups["la"].Value);
        call.AssertHeardBothWaysAndTheCodeOpenedTheDoorOnce();
    }
}
