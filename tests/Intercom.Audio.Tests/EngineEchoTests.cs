using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Intercom.Audio.Tests;

/// <summary>
/// Echo cancellation through the whole engine: the far end's voice goes into the speaker sink, the simulated card plays it
/// with the product's real buffering, a simulated enclosure leaks it back into the microphone with the visitor's voice, and
/// the engine's microphone output is measured. This checks the playback→capture reference alignment, not only speexdsp.
/// </summary>
public sealed class EngineEchoTests(ITestOutputHelper output)
{
    private const int Rate = 16000;

    [Theory]
    [InlineData(20)]
    [InlineData(10)]
    public void The_engine_cancels_the_room_echo_by_20_dB_and_passes_the_visitor(int periodMs)
    {
        NativeLibraries.RequireSpeexDsp();
        const int Seconds = 14;
        var frameSamples = Rate * periodMs / 1000;
        var time = new FakeTimeProvider();
        var card = new SimulatedCard(time, Rate, frameSamples, Seconds + 1);
        var room = new Room(Rate, delayMs: 40, attenuationDb: 6, tailMs: 60, noiseDbfs: -65, seed: 5);
        var far = Room.Speech(Rate, Seconds * Rate, -12, seed: 1);
        var near = Room.Speech(Rate, (Seconds + 1) * Rate, -20, seed: 2);
        far.AsSpan(10 * Rate, 2 * Rate).Clear();   // 10–12 s: the visitor alone
        near.AsSpan(0, 10 * Rate).Clear();         // 0–10 s: the far end alone
        var heard = new short[(Seconds + 1) * Rate];
        card.Acoustics = (air, index) =>
        {
            var value = room.EchoAt(air.Span, index) + (index < near.Length ? near[index] : 0);
            var sample = (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
            heard[index] = sample;
            return sample;
        };

        var options = new AudioOptions { SampleRate = Rate, PeriodMs = periodMs, EchoControl = EchoControl.Cancel, NoiseSuppression = true };
        var microphone = new FrameCollector((Seconds + 1) * Rate);
        using var engine = new AudioEngine(new TestCapture(time, card.OpenInput, Rate, periodMs), new TestPlayback(time, card.OpenOutput, Rate, periodMs), options);
        Assert.Equal(EchoControl.Cancel, engine.EchoControl);
        engine.Microphone.Start(microphone);

        engine.Start();
        WaitBlocked(card);
        for (var ms = 0; ms < Seconds * 1000; ms++)
        {
            if (ms % periodMs == 0)
            {
                engine.Speaker.Write(far.AsSpan(ms * Rate / 1000, frameSamples));
            }

            card.Advance(TimeSpan.FromMilliseconds(1));
            WaitBlocked(card);
        }

        card.Shutdown();
        engine.Stop();
        Assert.Equal(0, card.Underruns);

        var cleaned = microphone.Samples;
        var echoIn = Signals.LevelDbfs(heard.AsSpan(7 * Rate, 3 * Rate));
        var echoOut = Signals.LevelDbfs(cleaned.Slice(7 * Rate, 3 * Rate));
        var nearIn = Signals.LevelDbfs(near.AsSpan((10 * Rate) + (Rate / 2), Rate));
        var nearOut = Signals.LevelDbfs(cleaned.Slice((10 * Rate) + (Rate / 2), Rate));
        output.WriteLine($"period {periodMs} ms: echo {echoIn:F1} → {echoOut:F1} dBFS (ERLE {echoIn - echoOut:F1} dB); visitor alone {nearIn:F1} → {nearOut:F1} dBFS");

        Assert.True(echoIn - echoOut >= 20, $"ERLE {echoIn - echoOut:F1} dB");
        Assert.True(Math.Abs(nearOut - nearIn) <= 3, $"visitor {nearIn:F1} dBFS in, {nearOut:F1} dBFS out");
    }

    private static void WaitBlocked(SimulatedCard card) =>
        Assert.True(SpinWait.SpinUntil(() => card.Waiting == 2, TimeSpan.FromSeconds(10)), "audio threads did not settle");
}
