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
    private const int Rate = 16000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CallAudio = TimeSpan.FromSeconds(4);

    private NatCall(string stationSdp, string stationRtpSource, HeardTone phoneHeard, HeardTone stationHeard, string stationLog)
    {
        StationSdp = stationSdp;
        StationRtpSource = stationRtpSource;
        PhoneHeard = phoneHeard;
        StationHeard = stationHeard;
        StationLog = stationLog;
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
        var station = await lab.StartStationAsync(StationConfig(lab, microphone, speaker, stun ? [lab.Stun.Uri] : null)).ConfigureAwait(false);
        await station.WaitForLineAsync(@"Registration: registered \(", Wait).ConfigureAwait(false);
        var phone = await lab.StartPhoneAsync(PhoneToneHz).ConfigureAwait(false);

        await phone.CommandAsync("dial", lab.DoorUri).ConfigureAwait(false);
        await phone.WaitForEventAsync("CALL_ESTABLISHED", Wait).ConfigureAwait(false);
        var played = SpeakerBytes(speaker);
        var bytes = (long)(CallAudio.TotalSeconds * Rate * 2);
        await Eventually.UntilAsync(() => SpeakerBytes(speaker) >= played + bytes, $"{CallAudio.TotalSeconds} s of the call played by the station's speaker ({speaker})",
            Wait, () => station.Process.Tail()).ConfigureAwait(false);
        await phone.CommandAsync("hangup").ConfigureAwait(false);
        await phone.WaitForEventAsync("CALL_CLOSED", Wait).ConfigureAwait(false);

        var answer = lab.Kamailio.RelayedSdp().LastOrDefault(s => s.Message.StartsWith($"reply 200 for INVITE from {lab.StationRouter.PublicAddress}:", StringComparison.Ordinal));
        if (answer.Sdp is null)
        {
            throw new InvalidOperationException($"Kamailio relayed no 200 (OK) with SDP from the station's router:\n{lab.Kamailio.Process.Tail()}");
        }

        var source = phone.Process.Lines.Select(l => Regex.Match(l, @"incoming rtp for 'audio' established, receiving from (?<from>\S+)"))
            .FirstOrDefault(m => m.Success)?.Groups["from"].Value ?? "";
        var decoded = Directory.GetFiles(phone.RecordingDirectory, "*dec*.wav");
        var (phoneSamples, phoneRate) = decoded.Length == 1 ? AudioCheck.ReadWav(decoded[0]) : ([], 8000);
        var (stationSamples, stationRate) = AudioCheck.ReadWav(speaker);
        return new NatCall(answer.Sdp, source, HeardTone.Measure(phoneSamples, phoneRate, StationToneHz), HeardTone.Measure(stationSamples, stationRate, PhoneToneHz),
            station.Process.Output);
    }

    private static long SpeakerBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    public override string ToString() =>
        $"station's answer: c={SdpAddress} m=audio {SdpPort}; its RTP reached the phone from {StationRtpSource}\nphone heard the station: {PhoneHeard}\nstation heard the phone: {StationHeard}";
}
