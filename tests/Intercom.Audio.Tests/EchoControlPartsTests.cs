namespace Intercom.Audio.Tests;

/// <summary>The pieces around the echo canceller: half-duplex gate, reference alignment, speaker buffer.</summary>
public sealed class EchoControlPartsTests
{
    [Fact]
    public void Half_duplex_mutes_the_microphone_while_the_far_end_talks_and_for_the_hangover()
    {
        var gate = new HalfDuplexGate(frameSamples: 160, sampleRate: 8000, thresholdDbfs: -45, hangoverMs: 200);
        var loud = Signals.Sine(500, -20, 8000, 160);
        var quiet = new short[160];
        var mic = new short[160];

        mic.AsSpan().Fill(1000);
        gate.Process(quiet, mic);
        Assert.All(mic, s => Assert.Equal(1000, s)); // far end silent: the visitor is heard

        mic.AsSpan().Fill(1000);
        gate.Process(loud, mic);
        Assert.True(mic[0] > mic[80] && mic[80] > mic[159], "fades out over the frame");
        Assert.Equal(0, mic[159]); // far end talks: muted by the frame's end
        Assert.True(gate.Muted);

        // 200 ms of hangover = 10 frames of 20 ms stay muted, then the microphone opens again.
        for (var i = 0; i < 10; i++)
        {
            mic.AsSpan().Fill(1000);
            gate.Process(quiet, mic);
            Assert.All(mic, s => Assert.Equal(0, s));
        }

        mic.AsSpan().Fill(1000);
        gate.Process(quiet, mic);
        Assert.True(mic[0] < mic[80] && mic[159] == 1000, "fades back in over the frame");
        Assert.False(gate.Muted);

        mic.AsSpan().Fill(1000);
        gate.Process(quiet, mic);
        Assert.All(mic, s => Assert.Equal(1000, s));
    }

    [Fact]
    public void Echo_reference_pairs_frames_in_order_and_never_leads_by_more_than_two_frames()
    {
        var reference = new EchoReference(frameSamples: 4);
        var frame = new short[4];

        reference.Read(frame); // nothing played yet: silence
        Assert.Equal(new short[4], frame);

        for (short i = 1; i <= 6; i++)
        {
            reference.Write([i, i, i, i]);
        }

        // Six frames waiting: the oldest three are dropped, so the reference leads the microphone by at most two frames.
        reference.Read(frame);
        Assert.Equal(new short[] { 4, 4, 4, 4 }, frame);
        reference.Read(frame);
        Assert.Equal(new short[] { 5, 5, 5, 5 }, frame);
        Assert.Equal(1, reference.Realignments);
    }

    [Fact]
    public void Speaker_buffer_drops_the_oldest_frame_when_full_and_refuses_wrong_sizes()
    {
        var buffer = new SpeakerBuffer(8000, 2, capacityFrames: 3);
        for (short i = 1; i <= 4; i++)
        {
            Assert.True(buffer.Write([i, i]));
        }

        Assert.False(buffer.Write([1, 2, 3]));
        Assert.Equal(1, buffer.Overflows);
        var frame = new short[2];
        Assert.True(buffer.TryRead(frame));
        Assert.Equal(new short[] { 2, 2 }, frame);
        buffer.Clear();
        Assert.False(buffer.TryRead(frame));
    }
}
