using Intercom.Media.Dtmf;

namespace Intercom.Media.Tests.Dtmf;

public sealed class TelephoneEventTests
{
    [Fact]
    public void Payload_layout_follows_rfc_4733_section_2_3()
    {
        var bytes = new byte[4];
        new TelephoneEvent(11, End: true, Volume: 10, Duration: 1600).Write(bytes);
        Assert.Equal(new byte[] { 11, 0x8A, 0x06, 0x40 }, bytes);
        Assert.True(TelephoneEvent.TryRead(bytes, out TelephoneEvent read));
        Assert.Equal(new TelephoneEvent(11, true, 10, 1600), read);
        Assert.False(TelephoneEvent.TryRead(bytes.AsSpan(0, 3), out _));
    }

    [Theory]
    [InlineData('0', 0)]
    [InlineData('9', 9)]
    [InlineData('*', 10)]
    [InlineData('#', 11)]
    [InlineData('A', 12)]
    [InlineData('D', 15)]
    [InlineData('!', 16)]
    public void Digits_map_to_event_codes(char digit, int code)
    {
        Assert.True(DtmfEvent.TryGetEventCode(digit, out byte actual));
        Assert.Equal(code, actual);
        Assert.Equal(digit, DtmfEvent.ToDigit(code));
    }

    [Fact]
    public void Sender_emits_start_continuations_and_three_end_packets()
    {
        // 20 ms packets at 8 kHz, a 100 ms digit.
        var sender = new TelephoneEventSender(160);
        Assert.True(sender.Enqueue('5', 800));
        var packets = new List<(TelephoneEvent Event, uint Timestamp, bool Marker)>();
        uint streamTimestamp = 16000;
        while (sender.TryNextPacket(streamTimestamp, out TelephoneEvent payload, out uint timestamp, out bool marker))
        {
            packets.Add((payload, timestamp, marker));
            streamTimestamp += 160;
        }

        Assert.Equal(
            [
                (new TelephoneEvent(5, false, 10, 160), 16000u, true),
                (new TelephoneEvent(5, false, 10, 320), 16000u, false),
                (new TelephoneEvent(5, false, 10, 480), 16000u, false),
                (new TelephoneEvent(5, false, 10, 640), 16000u, false),
                (new TelephoneEvent(5, true, 10, 800), 16000u, false),
                (new TelephoneEvent(5, true, 10, 800), 16000u, false),
                (new TelephoneEvent(5, true, 10, 800), 16000u, false),
            ],
            packets);
        Assert.False(sender.IsActive);
    }

    [Fact]
    public void Queued_digits_follow_each_other_with_new_timestamps()
    {
        var sender = new TelephoneEventSender(160);
        Assert.True(sender.Enqueue('1', 160));
        Assert.True(sender.Enqueue('#', 160));
        Assert.False(sender.Enqueue('x', 160));
        var starts = new List<(byte Event, uint Timestamp)>();
        uint ts = 0;
        while (sender.TryNextPacket(ts, out TelephoneEvent payload, out uint timestamp, out bool marker))
        {
            if (marker)
            {
                starts.Add((payload.Event, timestamp));
            }

            ts += 160;
        }

        Assert.Equal([(1, 0u), (11, 480u)], starts);
    }

    [Fact]
    public void Receiver_reports_each_event_once_despite_continuations_and_repeated_ends()
    {
        var receiver = new TelephoneEventReceiver();
        var sender = new TelephoneEventSender(160);
        sender.Enqueue('7', 480);
        sender.Enqueue('7', 480);
        var results = new List<TelephoneEventResult>();
        var payload = new byte[4];
        uint ts = 0;
        while (sender.TryNextPacket(ts, out TelephoneEvent evt, out uint timestamp, out _))
        {
            evt.Write(payload);
            results.Add(receiver.Process(timestamp, payload));
            ts += 160;
        }

        Assert.Equal(2, results.Count(r => r == TelephoneEventResult.Started));
        Assert.Equal(2, results.Count(r => r == TelephoneEventResult.Ended));
        Assert.Equal(4, results.Count(r => r == TelephoneEventResult.Ignored));
        Assert.Equal('7', receiver.CurrentDigit);
        Assert.Equal(480, receiver.Current.Duration);
        Assert.Equal(10, receiver.Current.Volume);
    }

    [Fact]
    public void Lost_start_late_packets_and_duplicates_are_handled()
    {
        var receiver = new TelephoneEventReceiver();
        var p = new byte[4];

        // Only the end packets of event '3' arrive: it is still reported, once.
        new TelephoneEvent(3, true, 10, 800).Write(p);
        Assert.Equal(TelephoneEventResult.Started, receiver.Process(1000, p));
        Assert.Equal(TelephoneEventResult.Ignored, receiver.Process(1000, p));

        // Next event; then a late continuation of the old one arrives.
        new TelephoneEvent(4, false, 10, 160).Write(p);
        Assert.Equal(TelephoneEventResult.Started, receiver.Process(2000, p));
        new TelephoneEvent(3, false, 10, 640).Write(p);
        Assert.Equal(TelephoneEventResult.Ignored, receiver.Process(1000, p));

        // A duplicate and a reordered (shorter) continuation of the current event.
        new TelephoneEvent(4, false, 10, 480).Write(p);
        Assert.Equal(TelephoneEventResult.Continued, receiver.Process(2000, p));
        new TelephoneEvent(4, false, 10, 320).Write(p);
        Assert.Equal(TelephoneEventResult.Ignored, receiver.Process(2000, p));
        Assert.Equal(480, receiver.Current.Duration);

        // Garbage.
        Assert.Equal(TelephoneEventResult.Malformed, receiver.Process(3000, [1, 2]));
        Assert.Equal(TelephoneEventResult.Malformed, receiver.Process(3000, [200, 0, 0, 160]));

        // Timestamp wrap: a new event just after 2^32 is newer, not older.
        receiver.Reset();
        new TelephoneEvent(1, false, 10, 160).Write(p);
        Assert.Equal(TelephoneEventResult.Started, receiver.Process(uint.MaxValue - 100, p));
        Assert.Equal(TelephoneEventResult.Started, receiver.Process(60, p));
    }
}
