using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Audio;

/// <summary>
/// The door station's audio: one microphone and one speaker, with echo control, noise suppression, live gains and local
/// sounds, seen by the call as an <see cref="IAudioSource"/> (<see cref="Microphone"/>) and an <see cref="IAudioSink"/>
/// (<see cref="Speaker"/>). Devices come from <see cref="AudioOptions"/> (ALSA, null or WAV) or are passed in.
/// </summary>
public sealed class AudioEngine : IDisposable
{
    private const int SpeakerBufferFrames = 4;

    /// <summary>
    /// How long the devices stay open once nothing needs them: a tone right after a call (or the next visitor) reuses
    /// them, and the close (which waits for the device threads) happens when nothing else is going on.
    /// </summary>
    public static readonly TimeSpan IdleClose = TimeSpan.FromSeconds(2);

    private readonly IAudioSource capture;
    private readonly IAudioPlayer playback;
    private readonly MicrophoneProcessor microphone;
    private readonly SpeakerBuffer speaker;
    private readonly SpeakerMixer mixer;
    private readonly EchoReference reference;
    private readonly Lock lifecycle = new();
    private readonly ITimer idleTimer;
    private bool onDemand;
    private volatile bool devicesRunning;
    private long deviceStarts;
    private double microphoneGainDb;
    private double speakerVolumeDb;

    /// <summary>Composes an engine over given devices (which must agree on rate and frame size); it owns them from now on and disposes them.</summary>
    public AudioEngine(IAudioSource capture, IAudioPlayer playback, AudioOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentNullException.ThrowIfNull(playback);
        ArgumentNullException.ThrowIfNull(options);
        if (capture.SampleRate != playback.SampleRate || capture.FrameSamples != playback.FrameSamples)
        {
            throw new ArgumentException("capture and playback must use the same rate and frame size");
        }

        this.capture = capture;
        this.playback = playback;
        reference = new EchoReference(capture.FrameSamples);
        microphone = new MicrophoneProcessor(capture.SampleRate, capture.FrameSamples, options, reference, logger ?? NullLogger.Instance);
        speaker = new SpeakerBuffer(capture.SampleRate, capture.FrameSamples, SpeakerBufferFrames);
        Sounds = new LocalSoundPlayer(capture.SampleRate, capture.FrameSamples, options.LocalSoundLevelDbfs);
        mixer = new SpeakerMixer(speaker, Sounds, reference);
        microphone.ReceiverChanged = UpdateDevices;
        Sounds.Requested = UpdateDevices;
        Sounds.Finished = ArmIdleClose;
        idleTimer = (time ?? TimeProvider.System).CreateTimer(static e => ((AudioEngine)e!).StopIfIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        MicrophoneGainDb = options.MicrophoneGainDb;
        SpeakerVolumeDb = options.SpeakerVolumeDb;
    }

    /// <summary>The processed microphone (echo-cancelled, denoised, gain applied): start it with the call's receiver.</summary>
    public IAudioSource Microphone => microphone;

    /// <summary>Where the call writes the far end's audio.</summary>
    public IAudioSink Speaker => speaker;

    /// <summary>
    /// Connects a call whose playout the speaker pulls directly, one frame per period on the playback thread (no buffer
    /// between the call's jitter buffer and the device, so no added delay); null disconnects it and the speaker goes back
    /// to <see cref="Speaker"/>'s buffer. The provider must not block.
    /// </summary>
    public void ConnectSpeaker(IAudioFrameProvider? call)
    {
        mixer.Call = call;
        if (call is null)
        {
            speaker.Clear();
        }

        UpdateDevices();
    }

    /// <summary>True while the capture and playback devices run (their threads, and the sound card open).</summary>
    public bool DevicesRunning => devicesRunning;

    /// <summary>How often the devices were started (once per call or tone after <see cref="StartOnDemand"/>).</summary>
    public long DeviceStarts => Interlocked.Read(ref deviceStarts);

    /// <summary>Ringback, confirmation and error sounds on the speaker.</summary>
    public LocalSoundPlayer Sounds { get; }

    /// <summary>The echo control in effect (half-duplex when cancellation was configured but speexdsp is missing).</summary>
    public EchoControl EchoControl => microphone.EchoControl;

    /// <summary>Microphone gain in dB, adjustable while running (clamped to −40 … +40).</summary>
    public double MicrophoneGainDb
    {
        get => Volatile.Read(ref microphoneGainDb);
        set
        {
            var db = Math.Clamp(double.IsNaN(value) ? 0 : value, -40, 40);
            Volatile.Write(ref microphoneGainDb, db);
            microphone.LinearGain = Gain.FromDb(db);
        }
    }

    /// <summary>Speaker volume in dB, adjustable while running (clamped to −60 … +20).</summary>
    public double SpeakerVolumeDb
    {
        get => Volatile.Read(ref speakerVolumeDb);
        set
        {
            var db = Math.Clamp(double.IsNaN(value) ? 0 : value, -60, 20);
            Volatile.Write(ref speakerVolumeDb, db);
            mixer.LinearVolume = Gain.FromDb(db);
        }
    }

    /// <summary>Builds the devices <paramref name="options"/> asks for.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the field.</exception>
    public static AudioEngine Create(AudioOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryValidate(out var error))
        {
            throw new ArgumentException(error, nameof(options));
        }

        var factory = loggers ?? NullLoggerFactory.Instance;
        var deviceLogger = factory.CreateLogger("Intercom.Audio.Device");
        int rate = options.SampleRate, period = options.PeriodMs;
        AudioCaptureDevice capture = options.Driver switch
        {
            AudioDriver.Alsa => new AlsaCapture(options.CaptureDevice, rate, period, options.AlsaConfigPath, time, deviceLogger),
            AudioDriver.Wav when options.CaptureWavPath is { Length: > 0 } path => new WavFileSource(path, rate, period, loop: true, time, deviceLogger),
            _ => new NullAudioSource(rate, period, time, deviceLogger),
        };
        AudioPlaybackDevice playback = options.Driver switch
        {
            AudioDriver.Alsa => new AlsaPlayback(options.PlaybackDevice, rate, period, options.AlsaConfigPath, time, deviceLogger),
            AudioDriver.Wav when options.PlaybackWavPath is { Length: > 0 } path => new WavFilePlayer(path, rate, period, time, deviceLogger),
            _ => new NullAudioPlayer(rate, period, time, deviceLogger),
        };
        return new AudioEngine(capture, playback, options, factory.CreateLogger("Intercom.Audio"), time);
    }

    /// <summary>Starts both device threads and keeps them running until <see cref="Stop"/>.</summary>
    public void Start()
    {
        lock (lifecycle)
        {
            onDemand = false;
            StartDevices();
        }
    }

    /// <summary>
    /// Runs the devices only while they have work: a receiver on <see cref="Microphone"/>, a call on the speaker
    /// (<see cref="ConnectSpeaker"/>) or a local sound playing. Between calls the sound card is closed and no thread
    /// wakes up, so an idle station uses no CPU (baresip opens its devices per call too). Both devices always run together:
    /// the echo canceller needs the speaker's frames beside the microphone's.
    /// </summary>
    public void StartOnDemand()
    {
        lock (lifecycle)
        {
            onDemand = true;
        }

        UpdateDevices();
    }

    /// <summary>Stops both device threads (and on-demand starting).</summary>
    public void Stop()
    {
        lock (lifecycle)
        {
            onDemand = false;
            StopDevices();
        }
    }

    /// <summary>Starts the devices for what is asked of them now, or schedules their close (on-demand mode only).</summary>
    private void UpdateDevices()
    {
        lock (lifecycle)
        {
            if (!onDemand)
            {
                return;
            }

            if (Wanted)
            {
                idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                StartDevices();
            }
            else if (devicesRunning)
            {
                ArmIdleClose();
            }
        }
    }

    private bool Wanted => microphone.HasReceiver || mixer.Call is not null || Sounds.IsPlaying;

    // Also called on the playback thread when a local sound ends: it takes no lock, and closing joins the device threads,
    // so the close always runs on the timer's thread and checks again there whether the devices are still unused.
    private void ArmIdleClose() => idleTimer.Change(IdleClose, Timeout.InfiniteTimeSpan);

    private void StopIfIdle()
    {
        lock (lifecycle)
        {
            if (onDemand && !Wanted)
            {
                StopDevices();
            }
        }
    }

    private void StartDevices()
    {
        if (devicesRunning)
        {
            return;
        }

        // The echo reference starts empty: frames left from the last run would not line up with the new capture.
        reference.Clear();
        playback.Start(mixer);
        capture.Start(microphone);
        devicesRunning = true;
        Interlocked.Increment(ref deviceStarts);
    }

    private void StopDevices()
    {
        if (!devicesRunning)
        {
            return;
        }

        capture.Stop();
        playback.Stop();
        devicesRunning = false;
    }

    public void Dispose()
    {
        Stop();
        idleTimer.Dispose();
        (capture as IDisposable)?.Dispose();
        (playback as IDisposable)?.Dispose();
        microphone.Dispose();
    }
}
