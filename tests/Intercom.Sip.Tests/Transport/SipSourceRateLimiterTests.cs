using System.Net;
using Intercom.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Sip.Tests.Transport;

public sealed class SipSourceRateLimiterTests
{
    private static readonly IPAddress Flooder = IPAddress.Parse("192.0.2.66");
    private static readonly IPAddress Phone = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress Pbx = IPAddress.Parse("192.0.2.1");

    private static (SipSourceRateLimiter Limiter, FakeTimeProvider Time) Create(SipRateLimitOptions? options = null)
    {
        var time = new FakeTimeProvider();
        return (new SipSourceRateLimiter(options ?? new SipRateLimitOptions { MessagesPerSecond = 10, Burst = 5, RefusalBurst = 3 }, time), time);
    }

    private static List<SipRateLimitVerdict> Send(SipSourceRateLimiter limiter, IPAddress source, int count, SipSourceKind kind = SipSourceKind.Stream)
    {
        var verdicts = new List<SipRateLimitVerdict>();
        for (var i = 0; i < count; i++)
        {
            verdicts.Add(limiter.Admit(source, kind));
        }

        return verdicts;
    }

    [Fact]
    public void A_stream_burst_is_accepted_then_refused_with_503_then_the_source_is_ignored_until_the_block_ends()
    {
        var (limiter, time) = Create(new SipRateLimitOptions { MessagesPerSecond = 10, Burst = 5, RefusalBurst = 3, BlockDuration = TimeSpan.FromSeconds(60) });

        var verdicts = Send(limiter, Flooder, 20);

        Assert.Equal(Enumerable.Repeat(SipRateLimitVerdict.Accept, 5), verdicts.Take(5));
        Assert.Equal(Enumerable.Repeat(SipRateLimitVerdict.Refuse, 3), verdicts.Skip(5).Take(3));
        Assert.Equal(Enumerable.Repeat(SipRateLimitVerdict.Drop, 12), verdicts.Skip(8));
        Assert.Equal(1, limiter.Blocks);
        Assert.True(limiter.IsBlocked(Flooder));

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(SipRateLimitVerdict.Drop, limiter.Admit(Flooder, SipSourceKind.Stream));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(limiter.IsBlocked(Flooder));
        Assert.Equal(SipRateLimitVerdict.Accept, limiter.Admit(Flooder, SipSourceKind.Stream));
    }

    [Fact]
    public void A_source_at_the_sustained_rate_is_never_refused()
    {
        var (limiter, time) = Create();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal(SipRateLimitVerdict.Accept, limiter.Admit(Phone, SipSourceKind.Stream));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(0, limiter.Refused);
    }

    [Fact]
    public void A_client_that_honours_Retry_After_is_refused_but_never_ignored()
    {
        var (limiter, time) = Create(new SipRateLimitOptions { MessagesPerSecond = 1, Burst = 1, RefusalBurst = 1, RetryAfterSeconds = 5 });
        for (var round = 0; round < 50; round++)
        {
            // Two at once: one accepted, one refused; then it waits as told.
            Assert.Equal(SipRateLimitVerdict.Accept, limiter.Admit(Phone, SipSourceKind.Stream));
            Assert.Equal(SipRateLimitVerdict.Refuse, limiter.Admit(Phone, SipSourceKind.Stream));
            time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(0, limiter.Blocks);
    }

    [Fact]
    public void A_flooding_source_does_not_spend_another_sources_budget()
    {
        var (limiter, _) = Create();
        Send(limiter, Flooder, 1000);

        Assert.Equal(Enumerable.Repeat(SipRateLimitVerdict.Accept, 5), Send(limiter, Phone, 5));
    }

    [Fact]
    public void The_table_stays_within_its_size_whatever_the_number_of_sources()
    {
        var (limiter, time) = Create(new SipRateLimitOptions { MaxSources = 64, GlobalMessagesPerSecond = 1e9 });
        var bytes = new byte[4];
        for (var i = 0; i < 100_000; i++)
        {
            bytes[0] = 10;
            bytes[1] = (byte)(i >> 16);
            bytes[2] = (byte)(i >> 8);
            bytes[3] = (byte)i;
            limiter.Admit(new IPAddress(bytes), SipSourceKind.Stream);
            time.Advance(TimeSpan.FromTicks(1));
        }

        Assert.InRange(limiter.TrackedSources, 1, 64);
        Assert.Equal(100_000, limiter.Accepted);
    }

    [Fact]
    public void A_flood_spread_over_many_sources_is_capped_in_total_but_a_quiet_source_still_gets_through()
    {
        var (limiter, time) = Create(new SipRateLimitOptions
        {
            MessagesPerSecond = 20, Burst = 60, RefusalBurst = 10, GlobalMessagesPerSecond = 100, BlockDuration = TimeSpan.FromSeconds(2),
        });
        var sources = Enumerable.Range(1, 200).Select(i => new IPAddress([10, 1, (byte)(i >> 8), (byte)i])).ToArray();
        var phoneAccepted = 0;
        var sent = 0;
        for (var step = 0; step < 1000; step++)
        {
            // Each flooding source sends 100 a second (20,000 a second together) for 10 s.
            for (var i = 0; i < sources.Length; i++)
            {
                limiter.Admit(sources[i], SipSourceKind.Datagram);
                sent++;
                if (step % 100 == 50 && i == 100)
                {
                    // The phone, in the middle of it, sends one message a second (an INVITE, later a BYE).
                    phoneAccepted += limiter.Admit(Phone, SipSourceKind.Datagram) == SipRateLimitVerdict.Accept ? 1 : 0;
                }
            }

            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        // 10 s at 100/s plus a burst of 200, twice (the quiet budget): far below the 200,000 sent.
        Assert.Equal(200_000, sent);
        Assert.InRange(limiter.Accepted - phoneAccepted, 1, 2 * ((100 * 10) + 200));
        Assert.Equal(10, phoneAccepted);
    }

    [Fact]
    public void A_blocked_source_is_not_forgotten_when_new_sources_crowd_the_table()
    {
        var (limiter, time) = Create(new SipRateLimitOptions { MessagesPerSecond = 10, Burst = 5, RefusalBurst = 3, MaxSources = 8 });
        Send(limiter, Flooder, 20);
        for (var i = 0; i < 1000; i++)
        {
            limiter.Admit(new IPAddress([10, 0, (byte)(i >> 8), (byte)i]), SipSourceKind.Stream);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.True(limiter.IsBlocked(Flooder));
        Assert.Equal(SipRateLimitVerdict.Drop, limiter.Admit(Flooder, SipSourceKind.Stream));
    }

    [Fact]
    public void IPv6_sources_share_a_budget_per_64_bit_prefix_and_mapped_IPv4_is_IPv4()
    {
        var (limiter, _) = Create();
        Send(limiter, IPAddress.Parse("2001:db8::1"), 5);
        Assert.Equal(SipRateLimitVerdict.Refuse, limiter.Admit(IPAddress.Parse("2001:db8::ffff:2"), SipSourceKind.Stream));
        Assert.Equal(SipRateLimitVerdict.Accept, limiter.Admit(IPAddress.Parse("2001:db8:0:1::1"), SipSourceKind.Stream));

        Send(limiter, Phone, 5);
        Assert.Equal(SipRateLimitVerdict.Refuse, limiter.Admit(Phone.MapToIPv6(), SipSourceKind.Stream));
    }

    [Fact]
    public void Exempt_sources_and_a_disabled_limiter_admit_everything()
    {
        var (exempting, _) = Create(new SipRateLimitOptions { Burst = 1, RefusalBurst = 0, Exempt = [Phone] });
        Assert.All(Send(exempting, Phone, 1000), v => Assert.Equal(SipRateLimitVerdict.Accept, v));

        var (disabled, _) = Create(new SipRateLimitOptions { Enabled = false, Burst = 1 });
        Assert.All(Send(disabled, Flooder, 1000), v => Assert.Equal(SipRateLimitVerdict.Accept, v));
        Assert.False(disabled.IsBlocked(Flooder));
    }

    [Fact]
    public void Admitting_allocates_nothing()
    {
        var (limiter, _) = Create();
        var v6 = IPAddress.Parse("2001:db8::7");
        void AdmitMany()
        {
            for (var i = 0; i < 10_000; i++)
            {
                limiter.Admit(Flooder, SipSourceKind.Stream);
                limiter.Admit(v6, SipSourceKind.Stream);
            }
        }

        // Warmed up by the same loop: the runtime's own first-run work on this thread (tier-up, on-stack replacement of
        // the loop) allocated 48 B once in a fresh-clone CI run and is not the limiter's.
        AdmitMany();
        var before = GC.GetAllocatedBytesForCurrentThread();
        AdmitMany();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_forged_UDP_flood_in_the_PBXs_name_never_blocks_the_PBX()
    {
        // Issue #15.7: before, about seventy datagrams with the PBX's source address bought a 60 s block of the PBX.
        var (limiter, time) = Create(new SipRateLimitOptions { MessagesPerSecond = 10, Burst = 5, RefusalBurst = 3, BlockDuration = TimeSpan.FromSeconds(60) });

        var flood = Send(limiter, Pbx, 1000, SipSourceKind.Datagram);

        // Held to its budget (the burst, the refusals, then silence) but never blocked.
        Assert.Equal(5, flood.Count(v => v == SipRateLimitVerdict.Accept));
        Assert.Equal(3, flood.Count(v => v == SipRateLimitVerdict.Refuse));
        Assert.Equal(0, limiter.Blocks);
        Assert.False(limiter.IsBlocked(Pbx));

        // Meanwhile the PBX's TCP/TLS flow (the handshake proved its address) is untouched by the forgery.
        Assert.Equal(SipRateLimitVerdict.Accept, limiter.Admit(Pbx, SipSourceKind.Stream));

        // And the moment the flood stops the PBX's own datagrams are served again: a tenth of a second, not a minute.
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(SipRateLimitVerdict.Accept, limiter.Admit(Pbx, SipSourceKind.Datagram));
    }

    [Fact]
    public void Answers_to_our_own_transactions_have_a_budget_a_forged_flood_does_not_spend()
    {
        var (limiter, _) = Create();
        Send(limiter, Pbx, 1000, SipSourceKind.Datagram);
        Assert.Equal(SipRateLimitVerdict.Drop, limiter.Admit(Pbx, SipSourceKind.Datagram));

        Assert.Equal(SipRateLimitVerdict.Accept, limiter.Admit(Pbx, SipSourceKind.TransactionResponse));

        // Bounded too, should someone who sees our branches replay them: the burst, then never a block.
        var replayed = Send(limiter, Pbx, 1000, SipSourceKind.TransactionResponse);
        Assert.Equal(4, replayed.Count(v => v == SipRateLimitVerdict.Accept));
        Assert.Equal(0, limiter.Blocks);
    }

    [Fact]
    public void A_UDP_flood_spread_over_many_addresses_does_not_spend_the_budget_of_streams_or_of_our_own_answers()
    {
        var (limiter, _) = Create(new SipRateLimitOptions { MessagesPerSecond = 20, Burst = 60, GlobalMessagesPerSecond = 100 });
        for (var i = 0; i < 10_000; i++)
        {
            limiter.Admit(new IPAddress([10, 2, (byte)(i >> 8), (byte)i]), SipSourceKind.Datagram);
        }

        Assert.True(limiter.GlobalDrops > 0);

        // A busy TCP peer (its bucket not full, so not "quiet") is still within the streams' own total.
        Send(limiter, Pbx, 10);
        Assert.Equal(SipRateLimitVerdict.Accept, limiter.Admit(Pbx, SipSourceKind.Stream));
        Assert.Equal(SipRateLimitVerdict.Accept, limiter.Admit(Pbx, SipSourceKind.TransactionResponse));
    }

    [Fact]
    public void Streams_over_the_total_are_refused_not_disconnected()
    {
        var (limiter, _) = Create(new SipRateLimitOptions { MessagesPerSecond = 20, Burst = 60, GlobalMessagesPerSecond = 10 });
        var verdicts = new List<SipRateLimitVerdict>();
        for (var i = 0; i < 200; i++)
        {
            // Many sources, each well within its own budget: only the total is exceeded.
            verdicts.Add(limiter.Admit(new IPAddress([10, 3, 0, (byte)(i % 100)]), SipSourceKind.Stream));
        }

        Assert.Contains(SipRateLimitVerdict.Refuse, verdicts);
        Assert.DoesNotContain(SipRateLimitVerdict.Drop, verdicts);
        Assert.Equal(0, limiter.Blocks);
    }
}
