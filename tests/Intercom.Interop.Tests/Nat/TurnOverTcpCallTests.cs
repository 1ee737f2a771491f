using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Intercom.Audio;
using Intercom.Interop.Tests.Media;
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
    private const int Rate = 16000;
    private const int FlowTimerSeconds = 20;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-turntcp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task With_udp_blocked_the_call_goes_through_a_tcp_turn_allocation_audio_flows_both_ways_and_the_code_opens_the_door()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent, turn: true, outboundFlowTimer: FlowTimerSeconds);
        await lab.StationRouter.BlockOutgoingUdpAsync();
        var audio = Path.Combine(lab.Directory, "audio");
        Directory.CreateDirectory(audio);
        var microphone = Path.Combine(audio, "microphone.wav");
        using (var writer = new WavFileWriter(microphone, Rate))
        {
            writer.Append(TestSupport.Signal.Tone(NatCall.StationToneHz, Rate, Rate * 30, amplitude: 8000));
        }

        var speaker = Path.Combine(audio, "speaker.wav");
        var config = JsonNode.Parse(NatCall.StationConfig(lab, microphone, speaker, stunServers: null))!;
        config["sip"]!["listen"]!.AsArray().Add(new JsonObject { ["transport"] = "tcp", ["address"] = lab.StationAddress, ["port"] = 5060 });
        var account = config["accounts"]![0]!;
        var edge = $"sip:{NatLab.ProviderAddress}:{lab.Kamailio.TcpPort};transport=tcp";
        account["transport"] = "tcp";
        account["registrar"] = edge;
        account["outboundProxy"] = edge;
        account["nat"] = new JsonObject
        {
            ["turn"] = new JsonObject
            {
                ["servers"] = new JsonArray(JsonValue.Create(lab.Stun.TurnUri + "?transport=tcp")),
                ["username"] = NatLab.TurnUser,
                ["password"] = NatLab.TurnPassword,
            },
        };
        config["station"]!["codes"] = new JsonArray(new JsonObject { ["code"] = NatCall.DoorCode, ["relay"] = "door" });
        var station = await lab.StartStationAsync(config.ToJsonString());
        var registered = await station.WaitForLineAsync(@"account provider: registered via", Wait);
        output.WriteLine(registered);
        Assert.Contains("(outbound, flow TCP:", registered, StringComparison.Ordinal);

        var phone = await lab.StartPhoneAsync(NatCall.PhoneToneHz, $";medianat=ice;stunserver={lab.Stun.Uri}", p =>
        {
            p.RtcpMux = true;
            p.ExtraConfig = "module stun.so\nmodule ice.so";
        });
        await phone.CommandAsync("dial", lab.DoorUri);
        try
        {
            await phone.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"the call was not answered.\nstation:\n{station.Process.Tail()}\nphone:\n{phone.Process.Tail()}\nKamailio:\n{lab.Kamailio.Process.Tail()}");
        }

        string relayed = await station.WaitForLineAsync(@"TURN relayed candidate", Wait);
        output.WriteLine(relayed);
        Assert.EndsWith("(Tcp)", relayed.TrimEnd(), StringComparison.Ordinal);
        string selected;
        try
        {
            selected = await station.WaitForLineAsync(@"ICE selected pair", Wait);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new Xunit.Sdk.XunitException($"no pair selected.\nstation:\n{station.Process.Tail()}\nphone:\n{phone.Process.Tail()}\ncoturn:\n{lab.Stun.Process.Tail()}");
        }

        output.WriteLine(selected);
        var pair = Regex.Match(selected, @"ICE selected pair (?<local>\w+) (?<la>[\d.]+):\d+ -> (?<remote>\w+) (?<ra>[\d.]+):\d+");
        Assert.True(pair.Success, selected);

        // Four seconds of the call through the speaker, then the resident's code.
        long played = SpeakerBytes(speaker);
        await Eventually.UntilAsync(() => SpeakerBytes(speaker) >= played + (4 * Rate * 2), "4 s of the call played by the station", Wait, () => station.Process.Tail());
        int openedBefore = station.Process.Lines.Count(l => l.Contains("Relay: door energised", StringComparison.Ordinal));
        await phone.CommandAsync("sndcode", NatCall.DoorCode);
        string? opened = null;
        try
        {
            opened = await station.WaitForLineAsync(@"Relay: door energised", TimeSpan.FromSeconds(15));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // Asserted below, after the call is down and the logs are printed.
        }

        await phone.CommandAsync("hangup");
        await phone.WaitForEventAsync("CALL_CLOSED", Wait);
        long droppedUdp = await lab.StationRouter.DroppedUdpAsync();
        output.WriteLine($"UDP packets from the station dropped by router A: {droppedUdp}");
        output.WriteLine("station:\n" + station.Process.Tail(60));
        output.WriteLine("coturn, about the station's router:\n" + string.Join('\n', lab.Stun.Process.Lines.Where(l =>
            l.Contains(NatLab.StationRouterAddress + ":", StringComparison.Ordinal))));

        var decoded = Directory.GetFiles(phone.RecordingDirectory, "*dec*.wav");
        var (phoneSamples, phoneRate) = decoded.Length == 1 ? AudioCheck.ReadWav(decoded[0]) : ([], 8000);
        var (stationSamples, stationRate) = AudioCheck.ReadWav(speaker);
        var phoneHeard = HeardTone.Measure(phoneSamples, phoneRate, NatCall.StationToneHz);
        var stationHeard = HeardTone.Measure(stationSamples, stationRate, NatCall.PhoneToneHz);
        output.WriteLine($"phone heard the station: {phoneHeard}\nstation heard the phone: {stationHeard}");

        // The station's side of the pair is its relay on coturn, reached over TCP; what it tried over UDP was dropped.
        Assert.Equal("relay", pair.Groups["local"].Value);
        Assert.Equal(NatLab.ProviderAddress, pair.Groups["la"].Value);
        Assert.True(droppedUdp > 0, "the station sent no UDP, so the block showed nothing");
        Assert.Contains(lab.Stun.Process.Lines, l => l.Contains($"tcp or tls connected to: {NatLab.StationRouterAddress}:", StringComparison.Ordinal));
        Assert.True(phoneHeard.Clear, $"the phone did not hear the station's {NatCall.StationToneHz} Hz: {phoneHeard}");
        Assert.True(stationHeard.Clear, $"the station did not hear the phone's {NatCall.PhoneToneHz} Hz: {stationHeard}");
        Assert.True(opened is not null, "the resident's code did not open the door (the station's log is above)");
        output.WriteLine(opened);
        Assert.Equal(0, openedBefore);
        Assert.Equal(1, station.Process.Lines.Count(l => l.Contains("Relay: door energised", StringComparison.Ordinal)));
    }

    private static long SpeakerBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
