using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Intercom.Audio;
using Intercom.Configuration;
using Intercom.Interop.Tests.Media;
using Intercom.Station.Configuration;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// One call through the lab, as a resident makes it from outside: the station behind router A registers at the
/// provider, the phone dials the door's address-of-record there, the station auto-answers (the phone is on its
/// allowlist and the INVITE comes from its registrar), and both play a tone for four seconds of the station's own
/// playback clock (its speaker file growing), then the phone hangs up. The outcome is what each side heard and the SDP
/// the station answered with, as Kamailio relayed it to the phone.
/// </summary>
public sealed class NatCall
{
    public const int StationToneHz = 1000;
    public const int PhoneToneHz = 440;

    /// <summary>The door's code in the station's configuration, which the resident keys during the call.</summary>
    public const string DoorCode = "2580";
    private const int Rate = 16000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CallAudio = TimeSpan.FromSeconds(4);

    // How much more of the call the station must have played after the resident keyed the code before a door that did
    // not open counts as not opened: the digits take under a second (four events of ~100 ms, baresip's sndcode), and a
    // door that opens does so well inside this (the figures are in docs/nat.md).
    private static readonly TimeSpan CodeWindow = TimeSpan.FromSeconds(6);

    private NatCall(string stationSdp, string stationRtpSource, HeardTone phoneHeard, HeardTone stationHeard, string stationLog,
        TimeSpan? doorOpenedAfter, long codeEventsAtRouter)
    {
        StationSdp = stationSdp;
        StationRtpSource = stationRtpSource;
        PhoneHeard = phoneHeard;
        StationHeard = stationHeard;
        StationLog = stationLog;
        DoorOpenedAfter = doorOpenedAfter;
        CodeEventsAtRouter = codeEventsAtRouter;
    }

    /// <summary>The SDP body of the station's 200 (OK) to the INVITE, as it left Kamailio for the phone.</summary>
    public string StationSdp { get; }

    /// <summary>The connection address of that SDP (RFC 8866 §5.7, c=IN IP4 ...).</summary>
    public string SdpAddress => Regex.Match(StationSdp, @"^c=IN IP4 (?<a>\S+)", RegexOptions.Multiline).Groups["a"].Value;

    /// <summary>The audio port of that SDP (RFC 8866 §5.14, m=audio ...).</summary>
    public int SdpPort => int.Parse(Regex.Match(StationSdp, @"^m=audio (?<p>\d+)", RegexOptions.Multiline).Groups["p"].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Where the station's RTP came from as the phone saw it (baresip's "receiving from ADDRESS:PORT"): the mapping the
    /// router made for the station's flow to the phone. Empty when none arrived.
    /// </summary>
    public string StationRtpSource { get; }

    /// <summary>The station's 1 kHz tone in the phone's recording of what it decoded.</summary>
    public HeardTone PhoneHeard { get; }

    /// <summary>The phone's 440 Hz tone in the station's speaker file.</summary>
    public HeardTone StationHeard { get; }

    public string StationLog { get; }

    /// <summary>
    /// How long after the resident keyed <see cref="DoorCode"/> (baresip's sndcode: RFC 4733 telephone-events in the RTP)
    /// the station energised the door relay; null when it did not within the station's next six seconds of the call.
    /// </summary>
    public TimeSpan? DoorOpenedAfter { get; }

    public bool DoorOpened => DoorOpenedAfter is not null;

    /// <summary>
    /// The telephone-event packets (the SDP's payload type) that reached router A's WAN port for the SDP's port, counted
    /// before the router's NAT and filter: the code was sent to where the station said, whatever became of it there.
    /// </summary>
    public long CodeEventsAtRouter { get; }

    /// <summary>
    /// The station's configuration: SIP on its LAN address, one account at the lab's provider, the WAV audio driver (a
    /// 1 kHz microphone file, a speaker file), auto-answer for the resident, no web page; with
    /// accounts[0].nat.stun = <paramref name="stunServers"/> when given (written as JSON, so the model need not know it).
    /// </summary>
    public static string StationConfig(NatLab lab, string microphone, string speaker, IReadOnlyList<string>? stunServers)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var config = new IntercomConfig { Name = "NAT lab door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = lab.StationAddress, Port = 5060 }];
        config.Accounts.Add(new SipAccountConfig
        {
            Id = "provider",
            Aor = $"sip:{NatLab.DoorUser}@{NatLab.ProviderAddress}",
            Registrar = lab.RegistrarUri,
            Username = NatLab.DoorUser,
            Password = NatLab.DoorPassword,
            Transport = "udp",
            ExpiresSeconds = 300,
        });
        config.Media.Codecs = ["pcmu"];
        config.Audio = new AudioConfig
        {
            Driver = "wav",
            CaptureWavPath = microphone,
            PlaybackWavPath = speaker,
            SampleRate = Rate,
            PeriodMs = 20,
            // A pure tone is what a noise suppressor removes and there is no room echo here: both off, levels untouched.
            EchoControl = "off",
            NoiseSuppression = false,
            LocalSoundLevelDbfs = -60,
        };
        config.Station.Incoming = new IncomingConfig { Allowlist = [lab.ResidentUri], AutoAnswer = true, AnnouncementBeep = false };
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        config.Web.Enabled = false;
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        var json = JsonNode.Parse(ConfigLoader.Serialize(config))!;
        if (stunServers is not null)
        {
            json["accounts"]![0]!["nat"] = new JsonObject { ["stun"] = new JsonArray([.. stunServers.Select(s => JsonValue.Create(s))]) };
        }

        return json.ToJsonString();
    }

    /// <summary>
    /// Changes a <see cref="StationConfig"/> to SIP over TCP: a TCP listener on the station's address, and the account
    /// registering over TCP at Kamailio's TCP listener as registrar and outbound proxy (the lab's RFC 5626 edge when it
    /// was started with a Flow-Timer). Returns the account's JSON for further changes.
    /// </summary>
    public static JsonNode RegisterOverTcp(JsonNode config, NatLab lab)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(lab);
        config["sip"]!["listen"]!.AsArray().Add(new JsonObject { ["transport"] = "tcp", ["address"] = lab.StationAddress, ["port"] = 5060 });
        var account = config["accounts"]![0]!;
        var edge = $"sip:{NatLab.ProviderAddress}:{lab.Kamailio.TcpPort};transport=tcp";
        account["transport"] = "tcp";
        account["registrar"] = edge;
        account["outboundProxy"] = edge;
        return account;
    }

    /// <summary>Makes the call in <paramref name="lab"/>; <paramref name="stun"/>: the station's account names the lab's coturn.</summary>
    public static async Task<NatCall> RunAsync(NatLab lab, bool stun)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var audio = Path.Combine(lab.Directory, "audio");
        Directory.CreateDirectory(audio);
        var microphone = Path.Combine(audio, "microphone.wav");
        using (var writer = new WavFileWriter(microphone, Rate))
        {
            writer.Append(TestSupport.Signal.Tone(StationToneHz, Rate, Rate * 10, amplitude: 8000));
        }

        var speaker = Path.Combine(audio, "speaker.wav");
        var config = JsonNode.Parse(StationConfig(lab, microphone, speaker, stun ? [lab.Stun.Uri] : null))!;
        config["station"]!["codes"] = new JsonArray(new JsonObject { ["code"] = DoorCode, ["relay"] = "door" });
        var station = await lab.StartStationAsync(config.ToJsonString()).ConfigureAwait(false);
        await station.WaitForLineAsync(@"Registration: registered \(", Wait).ConfigureAwait(false);
        var phone = await lab.StartPhoneAsync(PhoneToneHz).ConfigureAwait(false);

        await phone.CommandAsync("dial", lab.DoorUri).ConfigureAwait(false);
        await phone.WaitForEventAsync("CALL_ESTABLISHED", Wait).ConfigureAwait(false);
        string? relayed = null;
        await Eventually.UntilAsync(() => (relayed = StationAnswer(lab)) is not null, "Kamailio relayed the station's 200 (OK) with SDP", Wait,
            () => lab.Kamailio.Process.Tail()).ConfigureAwait(false);
        string answer = relayed!;
        var telephoneEvent = Regex.Match(answer, @"^a=rtpmap:(?<pt>\d+) telephone-event/", RegexOptions.Multiline);
        if (!telephoneEvent.Success)
        {
            throw new InvalidOperationException("the station's answer has no telephone-event (RFC 4733):\n" + answer);
        }

        int sdpPort = int.Parse(Regex.Match(answer, @"^m=audio (?<p>\d+)", RegexOptions.Multiline).Groups["p"].Value, System.Globalization.CultureInfo.InvariantCulture);
        await lab.StationRouter.CountRtpArrivingAsync(sdpPort, int.Parse(telephoneEvent.Groups["pt"].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ConfigureAwait(false);

        var played = SpeakerBytes(speaker);
        var bytes = (long)(CallAudio.TotalSeconds * Rate * 2);
        await Eventually.UntilAsync(() => SpeakerBytes(speaker) >= played + bytes, $"{CallAudio.TotalSeconds} s of the call played by the station's speaker ({speaker})",
            Wait, () => station.Process.Tail()).ConfigureAwait(false);

        // The resident keys the code. The door opens, or the station plays on for the window without opening it.
        var keyed = SpeakerBytes(speaker);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await phone.CommandAsync("sndcode", DoorCode).ConfigureAwait(false);
        TimeSpan? openedAfter = null;
        await Eventually.UntilAsync(() =>
            {
                if (station.Process.Lines.Any(l => l.Contains("Relay: door energised", StringComparison.Ordinal)))
                {
                    openedAfter ??= clock.Elapsed;
                    return true;
                }

                return SpeakerBytes(speaker) >= keyed + (long)(CodeWindow.TotalSeconds * Rate * 2);
            }, $"the door opened or the station played {CodeWindow.TotalSeconds} s more of the call", Wait, () => station.Process.Tail()).ConfigureAwait(false);
        long codeEvents = await lab.StationRouter.CountedAsync().ConfigureAwait(false);

        await phone.CommandAsync("hangup").ConfigureAwait(false);
        await phone.WaitForEventAsync("CALL_CLOSED", Wait).ConfigureAwait(false);

        var source = phone.Process.Lines.Select(l => Regex.Match(l, @"incoming rtp for 'audio' established, receiving from (?<from>\S+)"))
            .FirstOrDefault(m => m.Success)?.Groups["from"].Value ?? "";
        var decoded = Directory.GetFiles(phone.RecordingDirectory, "*dec*.wav");
        var (phoneSamples, phoneRate) = decoded.Length == 1 ? AudioCheck.ReadWav(decoded[0]) : ([], 8000);
        var (stationSamples, stationRate) = AudioCheck.ReadWav(speaker);
        return new NatCall(answer, source, HeardTone.Measure(phoneSamples, phoneRate, StationToneHz), HeardTone.Measure(stationSamples, stationRate, PhoneToneHz),
            station.Process.Output, openedAfter, codeEvents);
    }

    /// <summary>The SDP of the station's 200 (OK) to the INVITE as Kamailio relayed it (from the station's router), or null.</summary>
    private static string? StationAnswer(NatLab lab) =>
        lab.Kamailio.RelayedSdp().LastOrDefault(s => s.Message.StartsWith($"reply 200 for INVITE from {lab.StationRouter.PublicAddress}:", StringComparison.Ordinal)).Sdp;

    private static long SpeakerBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    public override string ToString() =>
        $"station's answer: c={SdpAddress} m=audio {SdpPort}; its RTP reached the phone from {StationRtpSource}\nphone heard the station: {PhoneHeard}\n" +
        $"station heard the phone: {StationHeard}\nthe code's telephone-events at the router: {CodeEventsAtRouter}; " +
        (DoorOpenedAfter is { } after ? $"the door opened {after.TotalSeconds:0.00} s after the code was keyed" : $"the door did not open within {CodeWindow.TotalSeconds} s of the call");
}
