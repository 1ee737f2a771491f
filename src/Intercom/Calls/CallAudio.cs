using Intercom.Audio;
using Intercom.Media.Streams;
using Intercom.Station.Calls;

namespace Intercom.Calls;

/// <summary>
/// The station's one microphone and speaker shared by its calls: the call whose media was agreed last is connected (the
/// microphone feeds its stream, the speaker pulls its playout); when it ends, the previous one still in progress gets them
/// back. Station tones play through the engine's local sounds, mixed over the call.
/// </summary>
public sealed class CallAudio : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<StreamPort> _connected = [];

    /// <summary>Takes ownership of <paramref name="engine"/> and starts it (the speaker runs between calls for tones).</summary>
    public CallAudio(AudioEngine engine)
    {
        Engine = engine ?? throw new ArgumentNullException(nameof(engine));
        engine.Start();
    }

    public AudioEngine Engine { get; }

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

    /// <summary>Plays (or stops) the sound for a station tone on the local speaker.</summary>
    public void PlayTone(StationTone tone)
    {
        switch (tone)
        {
            case StationTone.None:
                Engine.Sounds.Stop();
                break;
            case StationTone.Calling:
                Engine.Sounds.Play(LocalSound.Ringback);
                break;
            case StationTone.Accepted or StationTone.Announcement:
                Engine.Sounds.Play(LocalSound.Confirmation);
                break;
            case StationTone.Busy or StationTone.Failure or StationTone.Rejected:
                Engine.Sounds.Play(LocalSound.Error);
                break;
        }
    }

    public void Dispose() => Engine.Dispose();

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
