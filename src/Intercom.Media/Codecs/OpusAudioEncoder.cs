using Concentus;
using Concentus.Enums;

namespace Intercom.Media.Codecs;

/// <summary>
/// Mono Opus encoder (RFC 6716, RTP per RFC 7587) for 16 or 48 kHz PCM, VoIP application, with in-band FEC so that the
/// receiver can rebuild a lost frame from the next packet. It uses the system libopus when present (allocation-free) and
/// Concentus's managed port otherwise; <c>useNativeLibrary: false</c> forces the managed codec (tests that compare bytes).
/// </summary>
public sealed class OpusAudioEncoder : IAudioEncoder
{
    private readonly IOpusEncoder? _managed;
    private IntPtr _native;
    private int _bitrate;

    /// <summary>Creates an encoder.</summary>
    /// <param name="sampleRate">16000 or 48000.</param>
    /// <param name="bitrate">Target bit rate in bit/s (6000–510000).</param>
    /// <param name="inbandFec">Send LBRR data for the previous frame.</param>
    /// <param name="expectedLossPercent">Loss the FEC should be sized for.</param>
    /// <param name="useNativeLibrary">Allow the system libopus.</param>
    public OpusAudioEncoder(int sampleRate, int bitrate = 24000, bool inbandFec = true, int expectedLossPercent = 10, bool useNativeLibrary = true)
    {
        if (sampleRate is not (16000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), "Opus runs here at 16 or 48 kHz");
        }

        SampleRate = sampleRate;
        int loss = Math.Clamp(expectedLossPercent, 0, 100);
        if (useNativeLibrary && LibOpus.IsAvailable)
        {
            _native = LibOpus.CreateEncoder(sampleRate, 1, LibOpus.ApplicationVoip);
        }

        if (_native != IntPtr.Zero)
        {
            LibOpus.SetEncoder(_native, LibOpus.SetInbandFecRequest, inbandFec ? 1 : 0);
            LibOpus.SetEncoder(_native, LibOpus.SetPacketLossPercentRequest, loss);
            LibOpus.SetEncoder(_native, LibOpus.SetSignalRequest, LibOpus.SignalVoice);
            LibOpus.SetEncoder(_native, LibOpus.SetComplexityRequest, 5);
        }
        else
        {
            // The direct constructor is marked obsolete only to steer users to Concentus's own native loader.
#pragma warning disable CS0618
            _managed = new Concentus.Structs.OpusEncoder(sampleRate, 1, OpusApplication.OPUS_APPLICATION_VOIP);
#pragma warning restore CS0618
            _managed.UseInbandFEC = inbandFec;
            _managed.PacketLossPercent = loss;
            _managed.SignalType = OpusSignal.OPUS_SIGNAL_VOICE;
            _managed.Complexity = 5;
        }

        Bitrate = bitrate;
    }

    /// <inheritdoc />
    public int SampleRate { get; }

    /// <summary>True when the system libopus does the work.</summary>
    public bool IsNative => _native != IntPtr.Zero;

    /// <summary>The target bit rate.</summary>
    public int Bitrate
    {
        get => _bitrate;
        set
        {
            _bitrate = Math.Clamp(value, 6000, 510000);
            if (_native != IntPtr.Zero)
            {
                LibOpus.SetEncoder(_native, LibOpus.SetBitrateRequest, _bitrate);
            }
            else
            {
                _managed!.Bitrate = _bitrate;
            }
        }
    }

    /// <inheritdoc />
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_native == IntPtr.Zero && _managed is null, this);
        int length = _native != IntPtr.Zero
            ? LibOpus.Encode(_native, pcm, payload)
            : _managed!.Encode(pcm, pcm.Length, payload, payload.Length);
        return length > 0 ? length : 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_native != IntPtr.Zero)
        {
            LibOpus.DestroyEncoder(_native);
            _native = IntPtr.Zero;
        }

        (_managed as IDisposable)?.Dispose();
    }
}
