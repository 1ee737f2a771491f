using Intercom.Media.Jitter;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Media.Tests.Jitter;

public sealed class JitterBufferTests
{
    private const int Frame = 160;

    /// <summary>Runs packets (arrival in ms, sequence, timestamp) against a playout tick every 20 ms; returns what was played.</summary>
    private static List<(JitterBufferResult Result, int Sequence, int NextSequence)> Simulate(
        JitterBuffer buffer, FakeTimeProvider time, IEnumerable<(double ArrivalMs, ushort Sequence, uint Timestamp)> packets, double durationMs)
    {
        var played = new List<(JitterBufferResult, int, int)>();
        var queue = new Queue<(double, ushort, uint)>(packets.OrderBy(p => p.ArrivalMs));
        DateTimeOffset start = time.GetUtcNow();
        var payload = new byte[8];
        for (double tick = 0; tick < durationMs; tick += 20)
        {
            if (queue.Count == 0 && buffer.Count == 0 && played.Count > 0)
            {
                // The stream ended and everything was played.
                break;
            }

            while (queue.Count > 0 && queue.Peek().Item1 <= tick)
            {
                (double arrival, ushort sequence, uint timestamp) = queue.Dequeue();
                time.SetUtcNow(start + TimeSpan.FromMilliseconds(arrival));
                BitConverter.TryWriteBytes(payload, (int)sequence);
                buffer.Put(sequence, timestamp, payload, time.GetTimestamp());
            }

            time.SetUtcNow(start + TimeSpan.FromMilliseconds(tick));
            var output = new byte[8];
            JitterBufferResult result = buffer.Get(output, out int length);
            int sequenceOut = length >= 4 ? BitConverter.ToInt32(output) : -1;
            played.Add((result, result == JitterBufferResult.Frame ? sequenceOut : -1, result == JitterBufferResult.Conceal ? sequenceOut : -1));
        }

        return played;
    }

    private static IEnumerable<(double, ushort, uint)> Stream(int count, Func<int, double> delayMs, double intervalMs = 20, int firstSequence = 1000)
    {
        for (int i = 0; i < count; i++)
        {
            yield return ((i * intervalMs) + delayMs(i), (ushort)(firstSequence + i), (uint)(5000 + (i * Frame)));
        }
    }

    private static (JitterBuffer, FakeTimeProvider) Create(int capacity = 50)
    {
        var time = new FakeTimeProvider();
        return (new JitterBuffer(time, 8000, Frame, capacity), time);
    }

    [Fact]
    public void In_order_stream_plays_every_frame_after_the_20_ms_floor()
    {
        (JitterBuffer buffer, FakeTimeProvider time) = Create();
        var played = Simulate(buffer, time, Stream(100, _ => 5), 2100);
        int firstFrame = played.FindIndex(p => p.Result == JitterBufferResult.Frame);
        Assert.Equal(2, firstFrame);
        Assert.Equal(Enumerable.Range(1000, 100), played.Where(p => p.Result == JitterBufferResult.Frame).Select(p => p.Sequence));
        Assert.Equal(TimeSpan.FromMilliseconds(20), buffer.TargetDelay);
        Assert.Equal(0, buffer.LostFrames + buffer.LatePackets + buffer.DroppedFrames + buffer.InsertedFrames);
    }

    [Fact]
    public void Reordered_packets_play_in_order_and_duplicates_play_once()
    {
        (JitterBuffer buffer, FakeTimeProvider time) = Create();
        var packets = Stream(20, _ => 10).ToList();
        (packets[5], packets[6]) = ((packets[6].Item1 - 1, packets[6].Item2, packets[6].Item3), (packets[5].Item1 + 1, packets[5].Item2, packets[5].Item3));
        packets.Add((packets[8].Item1 + 2, packets[8].Item2, packets[8].Item3));
        var played = Simulate(buffer, time, packets, 500);
        Assert.Equal(Enumerable.Range(1000, 20), played.Where(p => p.Result == JitterBufferResult.Frame).Select(p => p.Sequence));
        Assert.Equal(1, buffer.DuplicatePackets);
    }

    [Fact]
    public void A_lost_packet_is_concealed_with_the_next_packet_offered_for_fec()
    {
        (JitterBuffer buffer, FakeTimeProvider time) = Create();
        var packets = Stream(20, _ => 5).Where(p => p.Item2 != 1007);
        var played = Simulate(buffer, time, packets, 500);
        var conceal = played.Single(p => p.Result == JitterBufferResult.Conceal);
        Assert.Equal(1008, conceal.NextSequence);
        Assert.Equal(1, buffer.LostFrames);
        Assert.Equal(19, played.Count(p => p.Result == JitterBufferResult.Frame));
    }

    [Fact]
    public void A_packet_after_its_playout_time_is_late_and_dropped()
    {
        (JitterBuffer buffer, FakeTimeProvider time) = Create();
        var packets = Stream(20, i => i == 7 ? 200 : 5);
        var played = Simulate(buffer, time, packets, 600);
        Assert.Equal(1, buffer.LatePackets);
        Assert.DoesNotContain(played, p => p.Sequence == 1007);
        Assert.Equal(1, buffer.LostFrames);
    }

    [Fact]
    public void Target_delay_follows_measured_jitter()
    {
        (JitterBuffer buffer, FakeTimeProvider time) = Create();
        var random = new Random(7);
        var played = Simulate(buffer, time, Stream(500, _ => random.NextDouble() * 60), 10_200);
        // Uniform 0–60 ms delays: |D| averages 20 ms, so the target settles near 80 ms (4 J), well above the floor.
        Assert.InRange(buffer.TargetDelay.TotalMilliseconds, 40, 140);
        Assert.InRange(buffer.JitterSamples / 8.0, 10, 30);
        // Once the buffer has grown, almost nothing arrives too late.
        int lateInSecondHalf = played.Skip(250).Count(p => p.Result == JitterBufferResult.Conceal);
        Assert.True(lateInSecondHalf < 10, $"{lateInSecondHalf} concealed frames in the second half");
        Assert.True(buffer.InsertedFrames > 0);
    }

    [Fact]
    public void Fast_sender_clock_is_absorbed_by_dropping_frames()
    {
        (JitterBuffer buffer, FakeTimeProvider time) = Create();
        // 1 % fast: a packet every 19.8 ms for 60 s → 30 frames too many.
        var played = Simulate(buffer, time, Stream(3030, _ => 5, intervalMs: 19.8), 60_000);
        Assert.InRange(buffer.DroppedFrames, 20, 40);
        Assert.True(buffer.Count <= 5, $"buffer holds {buffer.Count}");
        Assert.Equal(0, buffer.LostFrames);
    }

    [Fact]
    public void Slow_sender_clock_is_absorbed_by_concealing()
    {
        (JitterBuffer buffer, FakeTimeProvider time) = Create();
        // 1 % slow: a packet every 20.2 ms for 60 s → 30 frames too few; none is late, so all of them play.
        var played = Simulate(buffer, time, Stream(2960, _ => 5, intervalMs: 20.2), 60_000);
        Assert.Equal(0, buffer.LatePackets);
        Assert.Equal(2960 - buffer.Count, played.Count(p => p.Result == JitterBufferResult.Frame));
        Assert.InRange(played.Count(p => p.Result == JitterBufferResult.Conceal), 20, 40);
    }

    [Fact]
    public void Timestamp_jump_without_sequence_gap_moves_playout_instead_of_concealing()
    {
        (JitterBuffer buffer, FakeTimeProvider time) = Create();
        var first = Stream(10, _ => 5).ToList();
        // After 1 s of silence (no packets, RFC 3551 silence suppression), sequence continues but the timestamp jumps.
        var second = Enumerable.Range(0, 10).Select(i => (1200 + (i * 20.0) + 5, (ushort)(1010 + i), (uint)(5000 + ((60 + i) * Frame))));
        var played = Simulate(buffer, time, first.Concat(second), 1600);
        Assert.Equal(Enumerable.Range(1000, 20), played.Where(p => p.Result == JitterBufferResult.Frame).Select(p => p.Sequence));
        Assert.True(played.Count(p => p.Result == JitterBufferResult.Conceal) < 25);
    }

    [Fact]
    public void Overflow_drops_the_oldest_packet()
    {
        (JitterBuffer buffer, FakeTimeProvider time) = Create(capacity: 4);
        var payload = new byte[1];
        for (int i = 0; i < 6; i++)
        {
            Assert.True(buffer.Put((ushort)i, (uint)(i * Frame), payload, time.GetTimestamp()));
        }

        Assert.Equal(4, buffer.Count);
        Assert.Equal(2, buffer.DroppedFrames);
        Assert.False(buffer.Put(9, 0, new byte[2000], time.GetTimestamp()));
    }
}
