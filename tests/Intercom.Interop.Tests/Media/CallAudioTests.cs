using System.Collections.Concurrent;
using System.Diagnostics;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Interop.Tests.Peers;
using Intercom.Station.Configuration;
using Intercom.Station.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Media;

/// <summary>
/// Real two-way call audio through the whole product: the station (StationApp, as `intercom run` composes it) has an ALSA
/// microphone that is ALSA's file plugin playing a 1 kHz tone and an ALSA speaker that writes a file; a button press calls
/// baresip through Kamailio; baresip's recording of what it decoded must hold 1 kHz without gaps, and the 440 Hz baresip
/// sends (ausine) must come out of our speaker — per codec, over SRTP, and the call must end by itself when baresip's RTP
/// stops. Digits that baresip only plays as tones (a sox-made recording as its microphone, no telephone-event) open the door.
/// </summary>
[Collection(MediaTiming.Name)]
public sealed partial class CallAudioTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rate = 16000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-audio-").FullName;
    private readonly ConcurrentQueue<StationEvent> _events = new();
    private Kamailio _kamailio = null!;

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"));
        _kamailio.Users["door"] = "door-secret";
        _kamailio.Users["resident"] = "resident-secret";
        await _kamailio.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("pcmu", "PCMU")]
    [InlineData("pcma", "PCMA")]
    [InlineData("g722", "G722")]
    [InlineData("opus", "opus")]
    public async Task Our_microphone_tone_reaches_baresip_and_its_tone_reaches_our_speaker(string codec, string baresipCodec)
    {
        var devices = AlsaFileDevices.WithTone(Path.Combine(_dir, "devices"), Rate, 1000);
        await using var resident = await StartResident($"audio_codecs={baresipCodec}");
        using (var app = StartStation(devices, config => config.Media.Codecs = [codec]))
        {
            await WaitUntil(() => app.Registrations[0].Status.State == Intercom.Sip.UserAgent.Registration.RegistrationState.Registered, "registration");
            app.SimulatedBoard!.PressButton("button1");
            await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
            // Three seconds of baresip's audio decoded and played by us.
            await WaitUntil(() => app.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 150, "150 frames played");
            var statistics = app.Calls.MediaSessions.Single().Stream.GetStatistics();
            Assert.Equal(baresipCodec, statistics.Codec, ignoreCase: true);
            output.WriteLine($"{codec}: {statistics}");
            await resident.CommandAsync("hangup");
            await resident.WaitForEventAsync("CALL_CLOSED", Wait);
        }

        AssertBaresipHeard(resident, 1000);
        AssertWeHeard(devices, 440);
    }

    [Fact]
    public async Task Srtp_keyed_by_sdes_over_tls_carries_the_tones_both_ways()
    {
        var devices = AlsaFileDevices.WithTone(Path.Combine(_dir, "devices"), Rate, 1000);
        await using var resident = await StartResident("audio_codecs=PCMU;mediaenc=srtp-mand");
        using (var app = StartStation(devices, config =>
        {
            var certificates = _kamailio.Certificates;
            config.Sip.Tls.CaFile = certificates.CaFile;
            config.Sip.Tls.CertificateFile = certificates.CertificateFile;
            config.Sip.Tls.PrivateKeyFile = certificates.PrivateKeyFile;
            config.Sip.Listen.Add(new SipListenerConfig { Transport = "tls", Address = "127.0.0.1", Port = 0 });
            var account = config.Accounts[0];
            account.Transport = "tls";
            account.Srtp = "required";
            account.Registrar = $"sip:127.0.0.1:{_kamailio.TlsPort};transport=tls";
            account.OutboundProxy = $"sip:127.0.0.1:{_kamailio.TlsPort};transport=tls";
        }))
        {
            await WaitUntil(() => app.Registrations[0].Status.State == Intercom.Sip.UserAgent.Registration.RegistrationState.Registered, "registration over TLS");
            app.SimulatedBoard!.PressButton("button1");
            await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
            await WaitUntil(() => app.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 150, "150 frames played");
            var media = app.Calls.MediaSessions.Single();
            var keys = media.OfferAnswer.Negotiator.Media!.Srtp;
            Assert.NotNull(keys);
            output.WriteLine($"SRTP suite {keys.Suite}, {media.Rtp.PacketsReceived} packets authenticated, {media.Rtp.RtcpPacketsReceived} RTCP, {media.Rtp.SrtpFailures} failures");
            // One packet around the answer (baresip starts its stream before our keys are in place) may fail; the stream may not.
            Assert.InRange(media.Rtp.SrtpFailures, 0, 2);
            Assert.True(media.Rtp.PacketsReceived > 100);
            await _kamailio.Process.WaitForLineAsync(@"request INVITE sip:resident@.*\(tls\)", Wait);
            await resident.CommandAsync("hangup");
            await resident.WaitForEventAsync("CALL_CLOSED", Wait);
        }

        // baresip refuses plain RTP with srtp-mand: hearing the tone proves it decrypted our packets, and we its.
        AssertBaresipHeard(resident, 1000);
        AssertWeHeard(devices, 440);
    }

    [Fact]
    public async Task A_call_whose_rtp_stops_ends_after_the_media_timeout_and_the_relay_stays_released()
    {
        var devices = AlsaFileDevices.WithTone(Path.Combine(_dir, "devices"), Rate, 1000);
        await using var resident = await StartResident("audio_codecs=PCMU");
        using var app = StartStation(devices, config => config.Media.MediaTimeoutSeconds = 2);
        await WaitUntil(() => app.Registrations[0].Status.State == Intercom.Sip.UserAgent.Registration.RegistrationState.Registered, "registration");
        app.SimulatedBoard!.PressButton("button1");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await WaitUntil(() => app.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 25, "audio flowing");

        // baresip freezes (as a crashed phone or a lost network would): no RTP, no BYE.
        Signal(resident.Process.Pid, "STOP");
        var stopped = Stopwatch.StartNew();
        try
        {
            await WaitUntil(() => app.Calls.ActiveLegs == 0, "call ended by media timeout");
            output.WriteLine($"call ended {stopped.ElapsedMilliseconds} ms after baresip's RTP stopped (timeout 2 s)");
            Assert.InRange(stopped.Elapsed.TotalSeconds, 1.9, 4.0);
        }
        finally
        {
            Signal(resident.Process.Pid, "CONT");
        }

        await WaitUntil(() => _events.Any(e => e.Kind == StationEventKind.Call && e.Message.Contains("ended", StringComparison.Ordinal)), "station logs the end");
        Assert.DoesNotContain(app.SimulatedBoard.RelayTransitions, t => t.Energised);
    }

    [Fact]
    public async Task A_microphone_absent_when_the_call_starts_is_silence_until_it_appears_then_its_sound_is_heard()
    {
        // The real libasound path: the file plugin fails its open while its input file does not exist, as a USB card that
        // is unplugged fails; creating the file is the card coming back. The kernel here has no sound cards to unplug.
        var devices = AlsaFileDevices.WithTone(Path.Combine(_dir, "devices"), Rate, 1000);
        var tone = Path.Combine(_dir, "tone.raw");
        File.Move(devices.MicrophoneFile, tone);
        await using var resident = await StartResident("audio_codecs=PCMU");
        using (var app = StartStation(devices, _ => { }))
        {
            await WaitUntil(() => app.Registrations[0].Status.State == Intercom.Sip.UserAgent.Registration.RegistrationState.Registered, "registration");
            app.SimulatedBoard!.PressButton("button1");
            await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);

            // A second of the call without a microphone: the call is up and sends (silent) audio all the same.
            await WaitUntil(() => app.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().AudioPacketsSent >= 50, "a second of packets sent");
            var sentWhileAbsent = app.Calls.MediaSessions.Single().Stream.GetStatistics().AudioPacketsSent;
            File.Move(tone, devices.MicrophoneFile);

            // The reopen backoff (0.25 s doubling to 5 s) finds it within 5 s; 7 s of packets leave 2 s of it to hear.
            await WaitUntil(() => app.Calls.MediaSessions.Single().Stream.GetStatistics().AudioPacketsSent >= sentWhileAbsent + 350, "7 s more of packets sent");

            // The code still opens the door on this call.
            await resident.CommandAsync("sndcode", "1234");
            await WaitUntil(() => app.SimulatedBoard.RelayTransitions.Any(t => t.RelayId == "door" && t.Energised), "door opened by 1234");
            await resident.CommandAsync("hangup");
            await resident.WaitForEventAsync("CALL_CLOSED", Wait);
        }

        var file = Directory.GetFiles(resident.RecordingDirectory, "*dec*.wav").Single();
        var (samples, rate) = AudioCheck.ReadWav(file);
        Assert.True(samples.Length > 6 * rate, $"baresip recorded {samples.Length / (double)rate:0.00} s");
        var absent = samples.AsSpan(rate / 4, rate / 2);
        var back = samples.AsSpan(samples.Length - (3 * rate / 2), rate);
        var peak = TestSupport.Signal.PeakFrequency(back, rate, 900, 1100, step: 1);
        var (share, _) = AudioCheck.WindowedToneShare(back, 1000, rate);
        output.WriteLine($"while absent: level {AudioCheck.Rms(absent):0}; after it appeared: level {AudioCheck.Rms(back):0}, {peak} Hz, {share:P1} of the energy at 1 kHz");
        Assert.True(AudioCheck.Rms(absent) < 50, $"level {AudioCheck.Rms(absent):0} while the microphone was absent");
        Assert.InRange(peak, 997, 1003);
        Assert.True(share > 0.9, $"{share:P1} of the energy at 1 kHz once the microphone was back");
    }

    [Theory]
    [InlineData("pcmu", "PCMU")]
    [InlineData("opus", "opus")]
    public async Task Digits_baresip_sends_only_as_tones_are_detected_and_open_the_door(string codec, string baresipCodec)
    {
        var devices = AlsaFileDevices.WithTone(Path.Combine(_dir, "devices"), Rate, 1000);
        var tones = DtmfRecording(Path.Combine(_dir, "dtmf"), "1234");
        await using var resident = await StartResident($"audio_codecs={baresipCodec}");
        using var app = StartStation(devices, config =>
        {
            config.Media.Codecs = [codec];
            // No telephone-event offered: the digits can only come as tones (in-band detection is automatic then).
            config.Media.TelephoneEvent = false;
        });
        await WaitUntil(() => app.Registrations[0].Status.State == Intercom.Sip.UserAgent.Registration.RegistrationState.Registered, "registration");
        app.SimulatedBoard!.PressButton("button1");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        // The digits start once the station decodes the resident's audio (half a second of its tone), not at a time
        // guessed from the answer: on a loaded machine the station's media came up after a fixed 1.5 s lead had already
        // carried the digits past it, and the file's end hung the call up before any digit was heard.
        await Eventually.UntilAsync(() => app.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics().FramesDecoded >= 25, "the resident's audio decoded", Wait,
            () => $"{app.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics()}\nresident:\n{resident.Process.Tail(40)}");
        await resident.CommandAsync("ausrc", $"aufile,{tones}");
        await Eventually.UntilAsync(() => app.SimulatedBoard.RelayTransitions.Any(t => t.RelayId == "door" && t.Energised), "door opened by in-band 1234", Wait,
            () => $"{string.Join('\n', _events.Select(e => $"{e.Kind}: {e.Message}"))}\n{app.Calls.MediaSessions.FirstOrDefault()?.Stream.GetStatistics()}\nresident:\n{resident.Process.Tail(40)}");
        Assert.Contains(_events, e => e.Kind == StationEventKind.CodeAccepted);
        output.WriteLine($"{codec}: {app.Calls.MediaSessions.Single().Stream.GetStatistics()}");
        Assert.True(app.Calls.MediaSessions.Single().Stream.GetStatistics().InBandDigitsDetected >= 4);
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(5000);
    }

    /// <summary>DTMF tones made by sox (100 ms tone, 150 ms pause per digit, -10 dBFS), 48 kHz stereo as baresip's source runs.</summary>
    private static string DtmfRecording(string directory, string digits)
    {
        Directory.CreateDirectory(directory);
        var (low, high) = (new[] { 697, 770, 852, 941 }, new[] { 1209, 1336, 1477 });
        var parts = new List<string>();
        var silence = Path.Combine(directory, "silence.wav");
        Sox(["-n", "-r", "48000", "-b", "16", "-c", "2", silence, "trim", "0", "0.15"]);
        var lead = Path.Combine(directory, "lead.wav");
        Sox(["-n", "-r", "48000", "-b", "16", "-c", "2", lead, "trim", "0", "1.5"]);
        parts.Add(lead);
        foreach (var digit in digits)
        {
            var index = "123456789*0#".IndexOf(digit, StringComparison.Ordinal);
            var mono = Path.Combine(directory, $"digit-{index}-mono.wav");
            Sox(["-n", "-r", "48000", "-b", "16", "-c", "1", mono, "synth", "0.1", "sine", $"{low[index / 3]}", "sine", "mix", $"{high[index % 3]}",
                "gain", "-n", "-10"]);
            var file = Path.Combine(directory, $"digit-{index}.wav");
            Sox([mono, "-c", "2", file]);
            parts.Add(file);
            parts.Add(silence);
        }

        parts.Add(lead);
        var result = Path.Combine(directory, "dtmf.wav");
        Sox([.. parts, result]);
        return result;
    }

    private static void Sox(string[] arguments)
    {
        if (PeerProcess.Which("sox") is null)
        {
            throw new InvalidOperationException("sox is not installed (apt-get install sox)");
        }

        using var sox = Process.Start(new ProcessStartInfo("sox", arguments) { RedirectStandardError = true })!;
        var error = sox.StandardError.ReadToEnd();
        Assert.True(sox.WaitForExit(10_000) && sox.ExitCode == 0, $"sox {string.Join(' ', arguments)}: {error}");
    }

    private void AssertBaresipHeard(Baresip resident, double frequency)
    {
        var file = Directory.GetFiles(resident.RecordingDirectory, "*dec*.wav").Single();
        var (samples, rate) = AudioCheck.ReadWav(file);
        // The steady part: after the first half second (jitter buffers filling), before the last 200 ms (hang-up).
        Assert.True(samples.Length > 2 * rate, $"baresip recorded {samples.Length / (double)rate:0.00} s");
        var steady = samples.AsSpan(rate / 2, samples.Length - (rate / 2) - (rate / 5));
        var peak = TestSupport.Signal.PeakFrequency(steady[..rate], rate, frequency - 100, frequency + 100, step: 1);
        var (share, steadyShare) = AudioCheck.WindowedToneShare(steady, frequency, rate);
        var gap = AudioCheck.LongestGapMs(steady, rate);
        output.WriteLine($"baresip heard {peak} Hz at {rate} Hz, {share:P1} of the energy at {frequency} Hz (median of 40 ms windows; {steadyShare:P1} of them above half), level {AudioCheck.Rms(steady):0}, longest gap {gap} ms over {steady.Length / (double)rate:0.00} s");
        Assert.InRange(peak, frequency - 3, frequency + 3);
        Assert.True(share > 0.9, $"{share:P1} of the energy at {frequency} Hz");
        Assert.True(steadyShare > 0.9, $"the tone held in only {steadyShare:P1} of 40 ms windows");
        Assert.True(gap <= 60, $"a gap of {gap} ms");
    }

    private void AssertWeHeard(AlsaFileDevices devices, double frequency)
    {
        var sound = AudioCheck.LastSound(devices.ReadSpeaker(), Rate);
        Assert.True(sound.Length > 2 * Rate, $"our speaker played {sound.Length / (double)Rate:0.00} s of sound");
        var steady = sound[(Rate * 3 / 10)..^(Rate * 3 / 10)];
        var peak = TestSupport.Signal.PeakFrequency(steady[..Rate], Rate, frequency - 100, frequency + 100, step: 1);
        var (share, steadyShare) = AudioCheck.WindowedToneShare(steady, frequency, Rate);
        var gap = AudioCheck.LongestGapMs(steady, Rate);
        output.WriteLine($"our speaker played {peak} Hz, {share:P1} of the energy at {frequency} Hz (median of 40 ms windows; {steadyShare:P1} of them above half), level {AudioCheck.Rms(steady):0}, longest gap {gap} ms over {steady.Length / (double)Rate:0.00} s");
        Assert.InRange(peak, frequency - 3, frequency + 3);
        Assert.True(share > 0.9, $"{share:P1} of the energy at {frequency} Hz");
        Assert.True(steadyShare > 0.9, $"the tone held in only {steadyShare:P1} of 40 ms windows");
        Assert.True(gap <= 60, $"a gap of {gap} ms");
    }

    private async Task<Baresip> StartResident(string parameters, string? audioSource = null)
    {
        var resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:resident@127.0.0.1:{_kamailio.UdpPort}>;auth_pass=resident-secret;answermode=auto;regint=600;{parameters}",
            audioSource: audioSource);
        await resident.StartAsync();
        await resident.WaitForRegistrationAsync(Wait);
        return resident;
    }

    private StationApp StartStation(AlsaFileDevices devices, Action<IntercomConfig> configure)
    {
        var domain = $"127.0.0.1:{_kamailio.UdpPort}";
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts.Add(new SipAccountConfig
        {
            Id = "pbx", Aor = $"sip:door@{domain}", OutboundProxy = $"sip:{domain}", Password = "door-secret", ExpiresSeconds = 300,
        });
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [$"sip:resident@{domain}"] }];
        config.Station.Codes = [new CodeConfig { Code = "1234", Relay = "door" }];
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        config.Audio = new AudioConfig
        {
            Driver = "alsa",
            AlsaConfigPath = devices.ConfigPath,
            CaptureDevice = devices.CaptureDevice,
            PlaybackDevice = devices.PlaybackDevice,
            SampleRate = devices.SampleRate,
            PeriodMs = 20,
            // A pure tone is what a noise suppressor removes and there is no room echo here: both off, levels untouched.
            EchoControl = "off",
            NoiseSuppression = false,
            LocalSoundLevelDbfs = -60,
        };
        configure(config);
        Assert.Empty(ConfigValidator.Validate(config));
        var app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        app.Station.Events.Appended += (_, e) => _events.Enqueue(e);
        return app;
    }

    private Task WaitUntil(Func<bool> condition, string what) => Eventually.UntilAsync(condition, what, Wait,
        () => "station events:\n" + string.Join("\n", _events.Select(e => $"{e.Kind}: {e.Message}")));
}
