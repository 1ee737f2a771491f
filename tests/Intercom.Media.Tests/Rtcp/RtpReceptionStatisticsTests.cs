using Intercom.Media.Rtcp;

namespace Intercom.Media.Tests.Rtcp;

public sealed class RtpReceptionStatisticsTests
{
    [Fact]
    public void In_order_stream_has_no_loss_after_probation()
    {
        var stats = new RtpReceptionStatistics();
        // A.1: the first packet only starts probation; the second validates the source and becomes the base.
        Assert.False(stats.Update(1000, 0, 0));
        for (int i = 1; i < 100; i++)
        {
            Assert.True(stats.Update((ushort)(1000 + i), (uint)(160 * i), (uint)(160 * i)));
        }

        Assert.Equal(99u, stats.Received);
        Assert.Equal(99u, stats.Expected);
        Assert.Equal(0, stats.CumulativeLost);
        Assert.Equal(1099u, stats.ExtendedHighestSequence);
        Assert.Equal(0u, stats.Jitter);
    }

    [Fact]
    public void Every_tenth_packet_lost_gives_fraction_and_cumulative_loss()
    {
        var stats = new RtpReceptionStatistics();
        stats.Update(0, 0, 0);
        for (ushort seq = 1; seq <= 100; seq++)
        {
            if (seq % 10 != 0)
            {
                stats.Update(seq, seq * 160u, seq * 160u);
            }
        }

        // Base 1, highest 99 (100 was lost): expected 99, received 90 → 9 lost; fraction 9/99*256 = 23.
        RtcpReportBlock block = stats.CreateReportBlock(0xABCD, 0, 0);
        Assert.Equal(9, block.CumulativeLost);
        Assert.Equal((byte)(9 * 256 / 99), block.FractionLost);
        Assert.Equal(99u, block.ExtendedHighestSequence);

        // Next interval: 101..110 arrive, which reveals 100 as lost: 11 expected, 10 received.
        for (ushort seq = 101; seq <= 110; seq++)
        {
            stats.Update(seq, seq * 160u, seq * 160u);
        }

        block = stats.CreateReportBlock(0xABCD, 0, 0);
        Assert.Equal((byte)(256 / 11), block.FractionLost);
        Assert.Equal(10, block.CumulativeLost);
    }

    [Fact]
    public void Sequence_wrap_increments_the_cycle_count()
    {
        var stats = new RtpReceptionStatistics();
        for (int i = 0; i < 20; i++)
        {
            stats.Update((ushort)(65530 + i), (uint)i * 160, (uint)i * 160);
        }

        Assert.Equal(0x0001_0000u + 13, stats.ExtendedHighestSequence);
        Assert.Equal(0, stats.CumulativeLost);
    }

    [Fact]
    public void Duplicates_make_cumulative_loss_negative_and_reordering_is_not_loss()
    {
        var stats = new RtpReceptionStatistics();
        stats.Update(10, 0, 0);
        stats.Update(11, 160, 160);
        stats.Update(13, 480, 480);
        stats.Update(12, 320, 500);
        Assert.Equal(0, stats.CumulativeLost);
        stats.Update(13, 480, 520);
        Assert.Equal(-1, stats.CumulativeLost);
    }

    [Fact]
    public void A_large_jump_is_accepted_only_when_the_next_packet_confirms_it()
    {
        var stats = new RtpReceptionStatistics();
        stats.Update(100, 0, 0);
        stats.Update(101, 160, 160);
        Assert.False(stats.Update(30000, 320, 320));
        Assert.True(stats.Update(30001, 480, 480));
        Assert.Equal(30001u, stats.ExtendedHighestSequence);
        Assert.Equal(1u, stats.Received);
    }

    [Fact]
    public void Jitter_follows_the_appendix_a8_estimator()
    {
        var stats = new RtpReceptionStatistics();
        double reference = 0;
        uint previousTransit = 0;
        var random = new Random(1234);
        for (int i = 0; i < 500; i++)
        {
            uint timestamp = (uint)(i * 160);
            uint arrival = timestamp + 1000 + (uint)random.Next(0, 400);
            stats.Update((ushort)i, timestamp, arrival);
            uint transit = arrival - timestamp;
            // The first packet only starts probation; from the second on every packet feeds the estimator.
            if (i >= 2)
            {
                reference += (Math.Abs((int)(transit - previousTransit)) - reference) / 16.0;
            }

            previousTransit = transit;
        }

        Assert.InRange((double)stats.Jitter, reference - 1.5, reference + 1.5);
        // The mean |D| of two uniform 0..400 delays is 133 timestamp units.
        Assert.InRange(stats.Jitter, 80u, 200u);
    }
}
