using Intercom.Audio;
using Intercom.Media.Streams;
using Intercom.Station.Calls;

namespace Intercom.Phone;

/// <summary>
/// The station's one microphone and speaker shared by its calls: the call whose media was agreed last is connected (the
/// microphone feeds its stream, the speaker pulls its playout); when it ends, the previous one still in progress gets them
/// back. Station tones play through the engine's local sounds, mixed over the call. A changed audio configuration reopens
/// the devices only while no call has media (<see cref="ReopenAsync"/>), so the call in progress keeps its sound.
/// </summary>
public sealed class CallAudio : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<StreamPort> _connected = [];

    // Media sessions that exist (created, not yet disposed): they were built for this engine's rate and frame size.
    private int _sessions;
    private Func<AudioEngine>? _pendingOpen;
    private TaskCompletionSource? _pendingDone;
    private bool _disposed;
    private AudioEngine _engine;

    /// <summary>
    /// Takes ownership of <paramref name="engine"/>, whose devices then run only while a call is connected or a tone plays
    /// (<see cref="AudioEngine.StartOnDemand"/>): an idle station keeps its sound card closed and uses no CPU.
    /// </summary>
    public CallAudio(AudioEngine engine)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        engine.StartOnDemand();
    }

    /// <summary>The devices in use; replaced by <see cref="ReopenAsync"/> between calls.</summary>
    public AudioEngine Engine
    {
        get => Volatile.Read(ref _engine);
        private set => Volatile.Write(ref _engine, value);
    }

    /// <summary>True while a reopen waits for the calls with media to end.</summary>
    public bool ReopenPending
    {
        get
        {
            lock (_gate)
            {
                return _pendingOpen is not null;
            }
        }
    }

    /// <summary>Rate of the device frames.</summary>
    public int SampleRate => Engine.Microphone.SampleRate;

    /// <summary>Samples per device frame.</summary>
    public int FrameSamples => Engine.Microphone.FrameSamples;

    /// <summary>The stream the microphone and speaker serve now, if any.</summary>
    public AudioStream? Current
    {
        get
        {
            lock (_gate)
            {
                return _connected.Count > 0 ? _connected[^1].Stream : null;
            }
        }
    }

    /// <summary>Gives the microphone and speaker to <paramref name="stream"/>.</summary>
    public void Connect(AudioStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            var port = new StreamPort(stream);
            _connected.Add(port);
            Route(port);
        }
    }

    /// <summary>Takes them back; the newest call still connected gets them, or nobody.</summary>
    public void Disconnect(AudioStream stream)
    {
        lock (_gate)
        {
            var index = _connected.FindIndex(p => p.Stream == stream);
            if (index < 0)
            {
                return;
            }

            var wasCurrent = index == _connected.Count - 1;
            _connected.RemoveAt(index);
            if (wasCurrent)
            {
                Route(_connected.Count > 0 ? _connected[^1] : null);
            }
        }
    }

    /// <summary>
    /// Replaces the devices with the engine <paramref name="open"/> builds (another card, rate or echo control): at once
    /// when no call has media, else when the last such call ends. A later request replaces one still waiting. The task
    /// completes once the new engine is in place (its devices open for the next call or tone).
    /// </summary>
    public Task ReopenAsync(Func<AudioEngine> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pendingDone?.TrySetResult();
            _pendingOpen = open;
            _pendingDone = done;
            if (_sessions == 0)
            {
                SwapEngine();
            }

            return done.Task;
        }
    }

    /// <summary>A call's media is being built for this engine: its rate and frame size hold until <see cref="DetachSession"/>.</summary>
    internal (int SampleRate, int FrameSamples) AttachSession()
    {
        lock (_gate)
        {
            _sessions++;
            return (SampleRate, FrameSamples);
        }
    }

    /// <summary>A call's media ended; the last one lets a waiting reopen happen (off the caller's thread: it may be the SIP loop).</summary>
    internal void DetachSession()
    {
        lock (_gate)
        {
            if (--_sessions == 0 && _pendingOpen is not null)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static audio => audio.SwapIfIdle(), this, preferLocal: false);
            }
        }
    }

    /// <summary>Plays (or stops) the sound for a station tone on the local speaker.</summary>
    /// <remarks>
    /// Without the lock: the station's loop must not wait for a call's devices being connected. A tone that races a
    /// reopen plays on the devices being closed and is lost, which only happens between calls.
    /// </remarks>
    public void PlayTone(StationTone tone)
    {
        var engine = Engine;
        switch (tone)
        {
            case StationTone.None:
                engine.Sounds.Stop();
                break;
            case StationTone.Calling:
                engine.Sounds.Play(LocalSound.Ringback);
                break;
            case StationTone.Accepted or StationTone.Announcement:
                engine.Sounds.Play(LocalSound.Confirmation);
                break;
            case StationTone.Busy or StationTone.Failure or StationTone.Rejected:
                engine.Sounds.Play(LocalSound.Error);
                break;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _pendingOpen = null;
            _pendingDone?.TrySetCanceled();
            _pendingDone = null;
            Engine.Dispose();
        }
    }

    private void SwapIfIdle()
    {
        lock (_gate)
        {
            if (!_disposed && _sessions == 0 && _pendingOpen is not null)
            {
                SwapEngine();
            }
        }
    }

    // Under _gate with no session: nothing is connected, so the old devices are closed before the new ones open (an ALSA
    // device cannot be opened twice).
    private void SwapEngine()
    {
        var open = _pendingOpen!;
        var done = _pendingDone!;
        _pendingOpen = null;
        _pendingDone = null;
        var rate = Engine.Microphone.SampleRate;
        Engine.Dispose();
        try
        {
            Engine = open();
        }
        catch (ArgumentException e)
        {
            // Options the audio library refuses (the configuration was validated, so a bug): calls go on without sound
            // rather than with a disposed engine.
            Engine = AudioEngine.Create(new AudioOptions { Driver = AudioDriver.Null, SampleRate = rate });
            Engine.StartOnDemand();
            done.TrySetException(e);
            return;
        }

        Engine.StartOnDemand();
        done.TrySetResult();
    }

    private void Route(StreamPort? port)
    {
        if (port is null)
        {
            Engine.Microphone.Stop();
            Engine.ConnectSpeaker(null);
            return;
        }

        Engine.Microphone.Start(port);
        Engine.ConnectSpeaker(port);
    }

    /// <summary>The device threads' view of a stream: captured frames in, speaker frames out.</summary>
    private sealed class StreamPort(AudioStream stream) : IAudioFrameReceiver, IAudioFrameProvider
    {
        public AudioStream Stream { get; } = stream;

        public void OnFrame(ReadOnlySpan<short> frame) => Stream.SendFrame(frame);

        public void ReadFrame(Span<short> frame) => Stream.ReadFrame(frame);
    }
}
