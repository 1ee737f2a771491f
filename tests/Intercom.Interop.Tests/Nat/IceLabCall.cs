using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Intercom.Audio;
using Intercom.Interop.Tests.Media;
using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// One ICE call through the lab, as IceCallTests, TurnCallTests and TurnOverTcpCallTests make it: the station (its
/// configuration given, with the door code added) registers, a baresip phone with ICE dials the door's address-of-record,
/// the station auto-answers, ICE selects a pair, both play their tone for four seconds of the station's playback clock,
/// the resident keys the door code (RFC 4733 events on the selected pair), and the phone hangs up. The outcome is the
/// selected pair, what each side heard and whether the code opened the door; the station and phone stay with the lab
/// (stopped with it) so a test can read their logs.
/// </summary>
public sealed class IceLabCall
{
    private const int Rate = 16000;
    private static readonly TimeSpan CodeBound = TimeSpan.FromSeconds(15);

    private IceLabCall(LabStation station, Baresip phone, string registered, string selected)
    {
        Station = station;
        Phone = phone;
        Registered = registered;
        Selected = selected;
        Pair = Regex.Match(selected, @"ICE selected pair (?<local>\w+) (?<la>[\d.]+):\d+ -> (?<remote>\w+) (?<ra>[\d.]+):\d+");
    }

    public LabStation Station { get; }

    public Baresip Phone { get; }

    /// <summary>The station's "account provider: registered via ..." line.</summary>
    public string Registered { get; }

    /// <summary>The station's "ICE selected pair ..." line.</summary>
    public string Selected { get; }

    /// <summary>The selected pair: groups local, la (its address), remote, ra.</summary>
    public Match Pair { get; }

    public HeardTone PhoneHeard { get; private set; } = null!;

    public HeardTone StationHeard { get; private set; } = null!;

    /// <summary>The station's "Relay: door energised" line after the code was keyed, or null when none came within 15 s.</summary>
    public string? Opened { get; private set; }

    /// <summary>How often the door relay was energised before the code was keyed.</summary>
    public int OpenedBefore { get; private set; }

    /// <summary>How often the door relay was energised during the whole call.</summary>
    public int OpenedTimes => Station.Process.Lines.Count(l => l.Contains("Relay: door energised", StringComparison.Ordinal));

    /// <summary>The station's microphone file (its 1 kHz, <paramref name="seconds"/> long) and the path of its speaker file.</summary>
    public static (string Microphone, string Speaker) Audio(NatLab lab, int seconds)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var audio = Path.Combine(lab.Directory, "audio");
        Directory.CreateDirectory(audio);
        var microphone = Path.Combine(audio, "microphone.wav");
        using (var writer = new WavFileWriter(microphone, Rate))
        {
            writer.Append(TestSupport.Signal.Tone(NatCall.StationToneHz, Rate, Rate * seconds, amplitude: 8000));
        }

        return (microphone, Path.Combine(audio, "speaker.wav"));
    }

    /// <summary>Makes the call.</summary>
    /// <param name="config">The station's configuration (its audio files from <see cref="Audio"/>); the door code is added.</param>
    /// <param name="speaker">The station's speaker file.</param>
    /// <param name="phoneParameters">The phone's account parameters (";medianat=ice;stunserver=...").</param>
    /// <param name="phoneModules">The phone's extra modules (stun, turn, ice), one "module X.so" a line.</param>
    public static async Task<IceLabCall> RunAsync(NatLab lab, JsonNode config, string speaker, string phoneParameters, string phoneModules, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(config);
        config["station"]!["codes"] = new JsonArray(new JsonObject { ["code"] = NatCall.DoorCode, ["relay"] = "door" });
        var station = await lab.StartStationAsync(config.ToJsonString()).ConfigureAwait(false);
        var registered = await station.WaitForLineAsync(@"account provider: registered via", wait).ConfigureAwait(false);

        var phone = await lab.StartPhoneAsync(NatCall.PhoneToneHz, phoneParameters, p =>
        {
            p.RtcpMux = true;
            p.ExtraConfig = phoneModules;
        }).ConfigureAwait(false);
        await phone.CommandAsync("dial", lab.DoorUri).ConfigureAwait(false);
        try
        {
            await phone.WaitForEventAsync("CALL_ESTABLISHED", wait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException(
                $"the call was not answered.\nstation:\n{station.Process.Tail()}\nphone:\n{phone.Process.Tail()}\nKamailio:\n{lab.Kamailio.Process.Tail()}");
        }

        string selected;
        try
        {
            selected = await station.WaitForLineAsync(@"ICE selected pair", wait).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new Xunit.Sdk.XunitException($"no pair selected.\nstation:\n{station.Process.Tail()}\nphone:\n{phone.Process.Tail()}\ncoturn:\n{lab.Stun.Process.Tail()}");
        }

        var call = new IceLabCall(station, phone, registered, selected);

        // Four seconds of the call through the speaker, then the resident's code.
        long played = SpeakerBytes(speaker);
        await Eventually.UntilAsync(() => SpeakerBytes(speaker) >= played + (4 * Rate * 2), "4 s of the call played by the station", wait,
            () => station.Process.Tail()).ConfigureAwait(false);
        call.OpenedBefore = call.OpenedTimes;
        await phone.CommandAsync("sndcode", NatCall.DoorCode).ConfigureAwait(false);
        try
        {
            call.Opened = await station.WaitForLineAsync(@"Relay: door energised", CodeBound).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // The test asserts it, after the call is down and it has printed the logs.
        }

        await phone.CommandAsync("hangup").ConfigureAwait(false);
        await phone.WaitForEventAsync("CALL_CLOSED", wait).ConfigureAwait(false);

        var decoded = Directory.GetFiles(phone.RecordingDirectory, "*dec*.wav");
        var (phoneSamples, phoneRate) = decoded.Length == 1 ? AudioCheck.ReadWav(decoded[0]) : ([], 8000);
        var (stationSamples, stationRate) = AudioCheck.ReadWav(speaker);
        call.PhoneHeard = HeardTone.Measure(phoneSamples, phoneRate, NatCall.StationToneHz);
        call.StationHeard = HeardTone.Measure(stationSamples, stationRate, NatCall.PhoneToneHz);
        return call;
    }

    /// <summary>
    /// Asserts what every ICE call in the lab must show: each side heard the other's tone clearly, and the code keyed once
    /// (RFC 4733 events on the selected pair) opened the door once.
    /// </summary>
    public void AssertHeardBothWaysAndTheCodeOpenedTheDoorOnce()
    {
        Assert.True(PhoneHeard.Clear, $"the phone did not hear the station's {NatCall.StationToneHz} Hz: {PhoneHeard}");
        Assert.True(StationHeard.Clear, $"the station did not hear the phone's {NatCall.PhoneToneHz} Hz: {StationHeard}");
        Assert.True(Opened is not null, $"the resident's code did not open the door.\nstation:\n{Station.Process.Tail()}");
        Assert.Equal(0, OpenedBefore);
        Assert.Equal(1, OpenedTimes);
    }

    public override string ToString() =>
        $"{Selected}\nphone heard the station: {PhoneHeard}\nstation heard the phone: {StationHeard}\n" +
        (Opened is null ? "the code did not open the door" : Opened);

    private static long SpeakerBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
