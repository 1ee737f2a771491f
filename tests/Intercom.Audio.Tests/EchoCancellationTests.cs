using Xunit.Abstractions;

namespace Intercom.Audio.Tests;

/// <summary>
/// The far end's voice comes out of the speaker and leaks back into the microphone through a simulated enclosure (delay,
/// attenuation, reverberation tail, noise). After convergence the echo must be at least 20 dB down (ERLE), and the
/// visitor's own voice must still pass.
/// </summary>
public sealed class EchoCancellationTests(ITestOutputHelper output)
{
    private const int Rate = 16000;
    private const int Frame = 320;

    [Theory]
    [InlineData(20, 6)]
    [InlineData(50, 10)]
    [InlineData(80, 3)]
    public void Speex_cancels_a_room_echo_by_20_dB_and_lets_the_near_end_through(int delayMs, double attenuationDb)
    {
        NativeLibraries.RequireSpeexDsp();
        var seconds = 14;
        var total = seconds * Rate;
        var far = Room.Speech(Rate, total, -12, seed: 1);
        var near = Room.Speech(Rate, total, -20, seed: 2);

        // 0–10 s far end only (convergence, then ERLE measured over 7–10 s); 10–12 s near end only; 12–14 s both.
        far.AsSpan(10 * Rate, 2 * Rate).Clear();
        near.AsSpan(0, 10 * Rate).Clear();
        var room = new Room(Rate, delayMs, attenuationDb, tailMs: 60, noiseDbfs: -65, seed: 3);
        var microphone = room.Echo(far);
        Gain.MixInto(microphone, near);
        var cleaned = new short[total];
        using var speex = new SpeexProcessor(Frame, Rate, cancelEcho: true, tailMs: 200, suppressNoise: true);
        for (var f = 0; f < total / Frame; f++)
        {
            speex.Process(microphone.AsSpan(f * Frame, Frame), far.AsSpan(f * Frame, Frame), cleaned.AsSpan(f * Frame, Frame));
        }

        var echoIn = Signals.LevelDbfs(microphone.AsSpan(7 * Rate, 3 * Rate));
        var echoOut = Signals.LevelDbfs(cleaned.AsSpan(7 * Rate, 3 * Rate));
        var erle = echoIn - echoOut;
        output.WriteLine($"delay {delayMs} ms, attenuation {attenuationDb} dB: ERLE {erle:F1} dB");
        Assert.True(erle >= 20, $"ERLE {erle:F1} dB (echo {echoIn:F1} dBFS in, {echoOut:F1} dBFS out)");

        // Near end alone: passes within 3 dB.
        var nearIn = Signals.LevelDbfs(near.AsSpan(10 * Rate, 2 * Rate));
        var nearOut = Signals.LevelDbfs(cleaned.AsSpan(10 * Rate, 2 * Rate));
        output.WriteLine($"near end alone: {nearIn:F1} dBFS in, {nearOut:F1} dBFS out");
        Assert.True(Math.Abs(nearOut - nearIn) <= 3, $"near end {nearIn:F1} dBFS in, {nearOut:F1} dBFS out");

        // Double talk: the visitor is still heard (not muted as half-duplex would) while the far end speaks.
        var doubleTalkOut = Signals.LevelDbfs(cleaned.AsSpan(12 * Rate, 2 * Rate));
        var nearDuringDoubleTalk = Signals.LevelDbfs(near.AsSpan(12 * Rate, 2 * Rate));
        output.WriteLine($"double talk: near {nearDuringDoubleTalk:F1} dBFS, out {doubleTalkOut:F1} dBFS");
        Assert.True(doubleTalkOut > nearDuringDoubleTalk - 10, $"double talk: near {nearDuringDoubleTalk:F1} dBFS, out {doubleTalkOut:F1} dBFS");
    }
}
