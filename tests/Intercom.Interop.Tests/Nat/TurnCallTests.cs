using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Intercom.Audio;
using Intercom.Interop.Tests.Media;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// Issue #19's relay topology: the station behind home router A and the phone (baresip with its ice, stun and turn
/// modules) behind home router B, both routers symmetric (a new random port for every destination, RFC 4787 §4.1) with
/// address-and-port-dependent filtering. No server-reflexive pair can work (each side's mapping towards the other is
/// not the one coturn saw, and the other side's router drops what it did not ask for), so ICE must go through coturn's
/// relay (TURN, RFC 8656), which both sides allocate on in the provider namespace.
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class TurnCallTests(ITestOutputHelper output) : IDisposable
{
    private const string DoorCode = "2580";
    private const int Rate = 16000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-turncall-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Both_behind_symmetric_nats_ice_selects_a_relayed_pair_audio_flows_both_ways_and_the_code_opens_the_door()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.Symmetric, NatBehaviour.Symmetric, turn: true);
        var audio = Path.Combine(lab.Directory, "audio");
        Directory.CreateDirectory(audio);
        var microphone = Path.Combine(audio, "microphone.wav");
        using (var writer = new WavFileWriter(microphone, Rate))
        {
            writer.Append(TestSupport.Signal.Tone(NatCall.StationToneHz, Rate, Rate * 30, amplitude: 8000));
        }

        var speaker = Path.Combine(audio, "speaker.wav");
        var config = JsonNode.Parse(NatCall.StationConfig(lab, microphone, speaker, [lab.Stun.Uri]))!;
        config["accounts"]![0]!["nat"]!["turn"] = new JsonObject
        {
            ["servers"] = new JsonArray(JsonValue.Create(lab.Stun.TurnUri)),
            ["username"] = NatLab.TurnUser,
            ["password"] = NatLab.TurnPassword,
        };
        config["station"]!["codes"] = new JsonArray(new JsonObject { ["code"] = DoorCode, ["relay"] = "door" });
        var station = await lab.StartStationAsync(config.ToJsonString());
        await station.WaitForLineAsync(@"Registration: registered \(", Wait);

        var phone = await lab.StartPhoneAsync(NatCall.PhoneToneHz,
            $";medianat=ice;stunserver={lab.Stun.TurnUri};stunuser={NatLab.TurnUser};stunpass={NatLab.TurnPassword}", p =>
            {
                p.RtcpMux = true;
                p.ExtraConfig = "module stun.so\nmodule turn.so\nmodule ice.so";
            });
        await phone.CommandAsync("dial", lab.DoorUri);
        await phone.WaitForEventAsync("CALL_ESTABLISHED", Wait);

        string relayed = await station.WaitForLineAsync(@"TURN relayed candidate", Wait);
        output.WriteLine(relayed);
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
        await phone.CommandAsync("sndcode", DoorCode);
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

        // RFC 8656 §8: the call's end releases the station's allocation (Refresh, LIFETIME 0), so coturn closes it at
        // once instead of keeping it for its lifetime (600 s).
        string? released = null;
        await Eventually.UntilAsync(() => (released = StationRelease(lab.Stun.Process.Lines.ToList())) is not null,
            "coturn logged the station's allocation refreshed to lifetime 0 and closed", Wait,
            () => string.Join('\n', lab.Stun.Process.Lines.Where(l => l.Contains("session", StringComparison.Ordinal)).TakeLast(30)));
        output.WriteLine(released);
        output.WriteLine("station:\n" + station.Process.Tail(60));
        // baresip's own account of ICE and media, without its once-a-second bit-rate lines.
        output.WriteLine("phone:\n" + string.Join('\n', phone.Process.Lines.Where(l => !l.Contains("bit/s", StringComparison.Ordinal))));
        output.WriteLine("coturn, about the station's router:\n" + string.Join('\n', lab.Stun.Process.Lines.Where(l =>
            l.Contains(NatLab.StationRouterAddress + ":", StringComparison.Ordinal) || l.Contains("lifetime", StringComparison.OrdinalIgnoreCase))));

        var decoded = Directory.GetFiles(phone.RecordingDirectory, "*dec*.wav");
        var (phoneSamples, phoneRate) = decoded.Length == 1 ? AudioCheck.ReadWav(decoded[0]) : ([], 8000);
        var (stationSamples, stationRate) = AudioCheck.ReadWav(speaker);
        var phoneHeard = HeardTone.Measure(phoneSamples, phoneRate, NatCall.StationToneHz);
        var stationHeard = HeardTone.Measure(stationSamples, stationRate, NatCall.PhoneToneHz);
        output.WriteLine($"phone heard the station: {phoneHeard}\nstation heard the phone: {stationHeard}");

        // The station's own candidate is its relay on coturn: media left and arrived as ChannelData through it.
        Assert.Equal("relay", pair.Groups["local"].Value);
        Assert.Equal(NatLab.ProviderAddress, pair.Groups["la"].Value);
        Assert.True(phoneHeard.Clear, $"the phone did not hear the station's {NatCall.StationToneHz} Hz: {phoneHeard}");
        Assert.True(stationHeard.Clear, $"the station did not hear the phone's {NatCall.PhoneToneHz} Hz: {stationHeard}");

        // The code keyed once (RFC 4733 events relayed through coturn on the selected pair) opened the door once.
        Assert.True(opened is not null, "the resident's code did not open the door (the station's log is above)");
        output.WriteLine(opened);
        Assert.Equal(0, openedBefore);
        Assert.Equal(1, station.Process.Lines.Count(l => l.Contains("Relay: door energised", StringComparison.Ordinal)));
    }

    /// <summary>
    /// coturn's (verbose) line closing the session whose client is the station's router, once the same session was
    /// "refreshed ... lifetime=0" before it; null until then.
    /// </summary>
    private static string? StationRelease(List<string> coturn)
    {
        foreach (string line in coturn)
        {
            var closed = Regex.Match(line, @"session (?<id>\d+): closed \(2nd stage\).*remote " + Regex.Escape(NatLab.StationRouterAddress) + @":\d+");
            if (closed.Success && coturn.Any(l => l.Contains($"session {closed.Groups["id"].Value}: refreshed, ", StringComparison.Ordinal)
                && l.TrimEnd().EndsWith("lifetime=0", StringComparison.Ordinal)))
            {
                return line;
            }
        }

        return null;
    }

    private static long SpeakerBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
