using Intercom.Media.Codecs;
using Intercom.Media.Sdp;

namespace Intercom.Media.Tests.Codecs;

public sealed class OpusTests
{
    [Theory]
    [InlineData(16000)]
    [InlineData(48000)]
    public void A_tone_round_trips_at_its_frequency_and_level(int rate)
    {
        // Managed codec: the result must not depend on whether libopus is installed.
        using var encoder = new OpusAudioEncoder(rate, bitrate: 32000, useNativeLibrary: false);
        using var decoder = new OpusAudioDecoder(rate, useNativeLibrary: false);
        int frame = rate / 50;
        short[] input = Signal.Tone(440, rate, frame * 50);
        var output = new short[input.Length];
        var payload = new byte[400];
        for (int i = 0; i < 50; i++)
        {
            int length = encoder.Encode(input.AsSpan(i * frame, frame), payload);
            Assert.InRange(length, 10, 200);
            Assert.Equal(frame, decoder.Decode(payload.AsSpan(0, length), output.AsSpan(i * frame, frame)));
        }

        ReadOnlySpan<short> settled = output.AsSpan(frame * 10, frame * 10);
        Assert.InRange(Signal.Rms(settled) / Signal.Rms(input.AsSpan(frame * 10, frame * 10)), 0.7, 1.3);
        Assert.Equal(440, Signal.PeakFrequency(settled[..Math.Min(settled.Length, 3200)], rate, from: 100, to: 2000));
    }

    [Fact]
    public void Managed_encoder_is_deterministic()
    {
        short[] input = Signal.Tone(700, 16000, 320);
        byte[] Encode()
        {
            using var encoder = new OpusAudioEncoder(16000, useNativeLibrary: false);
            var payload = new byte[400];
            int length = encoder.Encode(input, payload);
            return payload[..length];
        }

        Assert.Equal(Encode(), Encode());
    }

    [Fact]
    public void A_lost_frame_is_rebuilt_from_the_next_packets_fec_better_than_plain_concealment()
    {
        const int rate = 16000;
        const int frame = 320;
        using var encoder = new OpusAudioEncoder(rate, bitrate: 32000, inbandFec: true, expectedLossPercent: 30, useNativeLibrary: false);
        short[] input = Signal.Tone(300, rate, frame * 40, amplitude: 8000);
        var packets = new List<byte[]>();
        var payload = new byte[400];
        for (int i = 0; i < 40; i++)
        {
            int length = encoder.Encode(input.AsSpan(i * frame, frame), payload);
            packets.Add(payload[..length]);
        }

        double Recover(bool useFec)
        {
            using var decoder = new OpusAudioDecoder(rate, useNativeLibrary: false);
            var output = new short[frame];
            for (int i = 0; i < 30; i++)
            {
                decoder.Decode(packets[i], output);
            }

            // Frame 30 is lost; frame 31 is in the buffer.
            Assert.Equal(frame, decoder.Conceal(useFec ? packets[31] : default, output));
            return Signal.Rms(output);
        }

        double withFec = Recover(useFec: true);
        double withoutFec = Recover(useFec: false);
        double original = Signal.Rms(input.AsSpan(30 * frame, frame));
        Assert.InRange(withFec / original, 0.5, 1.5);
        Assert.True(withoutFec > 0);
    }

    [Fact]
    public void Corrupt_packets_do_not_throw()
    {
        using var decoder = new OpusAudioDecoder(48000, useNativeLibrary: false);
        var pcm = new short[960];
        var random = new Random(3);
        var garbage = new byte[60];
        for (int i = 0; i < 200; i++)
        {
            random.NextBytes(garbage);
            int samples = decoder.Decode(garbage.AsSpan(0, random.Next(1, 60)), pcm);
            Assert.InRange(samples, 0, 960);
        }
    }

    [Fact]
    public void System_libopus_decodes_what_the_managed_port_encodes_and_the_reverse()
    {
        Assert.True(LibOpus.IsAvailable, "libopus.so.0 not found: install the Debian package libopus0");
        const int rate = 48000;
        const int frame = 960;
        short[] input = Signal.Tone(523, rate, frame * 30, amplitude: 9000);
        using var managedEncoder = new OpusAudioEncoder(rate, bitrate: 32000, useNativeLibrary: false);
        using var nativeEncoder = new OpusAudioEncoder(rate, bitrate: 32000);
        using var managedDecoder = new OpusAudioDecoder(rate, useNativeLibrary: false);
        using var nativeDecoder = new OpusAudioDecoder(rate);
        Assert.True(nativeEncoder.IsNative);
        Assert.True(nativeDecoder.IsNative);
        Assert.False(managedDecoder.IsNative);
        var viaNative = new short[input.Length];
        var viaManaged = new short[input.Length];
        var payload = new byte[400];
        for (int i = 0; i < 30; i++)
        {
            int length = managedEncoder.Encode(input.AsSpan(i * frame, frame), payload);
            Assert.Equal(frame, nativeDecoder.Decode(payload.AsSpan(0, length), viaNative.AsSpan(i * frame, frame)));
            length = nativeEncoder.Encode(input.AsSpan(i * frame, frame), payload);
            Assert.Equal(frame, managedDecoder.Decode(payload.AsSpan(0, length), viaManaged.AsSpan(i * frame, frame)));
        }

        foreach (short[] output in new[] { viaNative, viaManaged })
        {
            Assert.Equal(520, Signal.PeakFrequency(output.AsSpan(frame * 10, 4800), rate, from: 300, to: 1000));
            Assert.InRange(Signal.Rms(output.AsSpan(frame * 10)) / Signal.Rms(input.AsSpan(frame * 10)), 0.7, 1.3);
        }

        nativeDecoder.Reset();
        var garbage = new byte[80];
        new Random(5).NextBytes(garbage);
        Assert.InRange(nativeDecoder.Decode(garbage, new short[frame]), 0, frame);
        Assert.Equal(frame, nativeDecoder.Conceal(default, new short[frame]));
    }

    [Fact]
    public void Factory_maps_negotiated_formats()
    {
        Assert.IsType<G711Encoder>(AudioCodecs.CreateEncoder(MediaFormat.Pcma));
        Assert.IsType<G722Decoder>(AudioCodecs.CreateDecoder(MediaFormat.G722));
        using IAudioDecoder opus = AudioCodecs.CreateDecoder(MediaFormat.Opus with { PayloadType = 109 }, 48000);
        Assert.Equal(48000, opus.SampleRate);
        Assert.False(AudioCodecs.IsSupported(new MediaFormat(18, "G729", 8000)));
        Assert.Equal(960, AudioCodecs.TimestampUnitsPerFrame(MediaFormat.Opus, 20));
        Assert.Equal(160, AudioCodecs.TimestampUnitsPerFrame(MediaFormat.G722, 20));
    }
}
