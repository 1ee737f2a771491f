using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Intercom.Audio;
using Intercom.Interop.Tests.Media;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// Issue #19's ICE topology: the station behind home router A and the phone (baresip with its ice and stun modules)
/// behind home router B, both endpoint-independent with address-and-port-dependent filtering, Kamailio relaying
/// signalling only and coturn answering STUN. Neither side's host address is reachable from the other; each side's
/// server-reflexive address is, once its own checks have opened its router: ICE must find that pair.
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class IceCallTests(ITestOutputHelper output) : IDisposable
{
    private const string DoorCode = "2580";
    private const int Rate = 16000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-icecall-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Both_behind_home_routers_ice_selects_the_server_reflexive_pair_audio_flows_both_ways_and_the_code_opens_the_door()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent, NatBehaviour.EndpointIndependent);
        var audio = Path.Combine(lab.Directory, "audio");
        Directory.CreateDirectory(audio);
        var microphone = Path.Combine(audio, "microphone.wav");
        using (var writer = new WavFileWriter(microphone, Rate))
        {
            writer.Append(TestSupport.Signal.Tone(NatCall.StationToneHz, Rate, Rate * 20, amplitude: 8000));
        }

        var speaker = Path.Combine(audio, "speaker.wav");
        var config = JsonNode.Parse(NatCall.StationConfig(lab, microphone, speaker, [lab.Stun.Uri]))!;
        config["station"]!["codes"] = new JsonArray(new JsonObject { ["code"] = DoorCode, ["relay"] = "door" });
        var station = await lab.StartStationAsync(config.ToJsonString());
        await station.WaitForLineAsync(@"Registration: registered \(", Wait);

        var phone = await lab.StartPhoneAsync(NatCall.PhoneToneHz, $";medianat=ice;stunserver={lab.Stun.Uri}", p =>
        {
            p.RtcpMux = true;
            p.ExtraConfig = "module stun.so\nmodule ice.so";
        });
        await phone.CommandAsync("dial", lab.DoorUri);
        await phone.WaitForEventAsync("CALL_ESTABLISHED", Wait);

        string selected;
        try
        {
            selected = await station.WaitForLineAsync(@"ICE selected pair", Wait);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new Xunit.Sdk.XunitException($"no pair selected.\nstation:\n{station.Process.Tail()}\nphone:\n{phone.Process.Tail()}");
        }

        output.WriteLine(selected);
        var pair = Regex.Match(selected, @"ICE selected pair (?<local>\w+) (?<la>[\d.]+):\d+ -> (?<remote>\w+) (?<ra>[\d.]+):\d+");
        Assert.True(pair.Success, selected);

        // Four seconds of the call through the speaker, then the resident's code.
        long played = SpeakerBytes(speaker);
        await Eventually.UntilAsync(() => SpeakerBytes(speaker) >= played + (4 * Rate * 2), "4 s of the call played by the station", Wait, () => station.Process.Tail());
        int openedBefore = station.Process.Lines.Count(l => l.Contains("Relay: door energised", StringComparison.Ordinal));
        await phone.CommandAsync("sndcode", DoorCode);
        string opened;
        try
        {
            opened = await station.WaitForLineAsync(@"Relay: door energised", Wait);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new Xunit.Sdk.XunitException($"the resident's code did not open the door.\nstation:\n{station.Process.Tail()}\nphone:\n{phone.Process.Tail()}");
        }

        output.WriteLine(opened);
        await phone.CommandAsync("hangup");
        await phone.WaitForEventAsync("CALL_CLOSED", Wait);
        output.WriteLine("phone:\n" + phone.Process.Tail());

        var decoded = Directory.GetFiles(phone.RecordingDirectory, "*dec*.wav");
        var (phoneSamples, phoneRate) = decoded.Length == 1 ? AudioCheck.ReadWav(decoded[0]) : ([], 8000);
        var (stationSamples, stationRate) = AudioCheck.ReadWav(speaker);
        var phoneHeard = HeardTone.Measure(phoneSamples, phoneRate, NatCall.StationToneHz);
        var stationHeard = HeardTone.Measure(stationSamples, stationRate, NatCall.PhoneToneHz);
        output.WriteLine($"phone heard the station: {phoneHeard}\nstation heard the phone: {stationHeard}");

        Assert.Equal("srflx", pair.Groups["local"].Value);
        Assert.Equal(NatLab.StationRouterAddress, pair.Groups["la"].Value);
        Assert.Equal("srflx", pair.Groups["remote"].Value);
        Assert.Equal(NatLab.PhoneRouterAddress, pair.Groups["ra"].Value);
        Assert.True(phoneHeard.Clear, $"the phone did not hear the station's {NatCall.StationToneHz} Hz: {phoneHeard}");
        Assert.True(stationHeard.Clear, $"the station did not hear the phone's {NatCall.PhoneToneHz} Hz: {stationHeard}");

        // The code keyed once (RFC 4733 events on the selected pair) opened the door once.
        Assert.Equal(0, openedBefore);
        Assert.Equal(1, station.Process.Lines.Count(l => l.Contains("Relay: door energised", StringComparison.Ordinal)));
    }

    private static long SpeakerBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
