using Intercom.Media.Dtmf;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Media.Tests.Dtmf;

public sealed class DtmfInfoAndDeduplicatorTests
{
    [Theory]
    [InlineData("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', 160)]
    [InlineData("Application/DTMF-Relay", "duration = 100\nsignal = #\n", '#', 100)]
    [InlineData("application/dtmf-relay; charset=utf-8", "Signal=*", '*', DtmfInfoBody.DefaultDurationMs)]
    [InlineData("application/dtmf-relay", "Signal=11\r\nDuration=90000\r\n", '#', DtmfInfoBody.DefaultDurationMs)]
    [InlineData("application/dtmf", "7\r\n", '7', DtmfInfoBody.DefaultDurationMs)]
    [InlineData("application/dtmf", "10", '*', DtmfInfoBody.DefaultDurationMs)]
    [InlineData("application/dtmf", "b", 'B', DtmfInfoBody.DefaultDurationMs)]
    public void Info_bodies_are_decoded(string contentType, string body, char digit, int duration)
    {
        Assert.True(DtmfInfoBody.TryParse(contentType, body, out char actual, out int actualDuration));
        Assert.Equal(digit, actual);
        Assert.Equal(duration, actualDuration);
    }

    [Theory]
    [InlineData("application/sdp", "Signal=5")]
    [InlineData("application/dtmf-relay", "Duration=160")]
    [InlineData("application/dtmf-relay", "Signal=X")]
    [InlineData("application/dtmf-relay", "Signal=")]
    [InlineData("application/dtmf", "")]
    [InlineData("application/dtmf", "99")]
    public void Other_bodies_are_not_digits(string contentType, string body) =>
        Assert.False(DtmfInfoBody.TryParse(contentType, body, out _, out _));

    [Fact]
    public void A_digit_arriving_by_two_paths_is_reported_once()
    {
        var time = new FakeTimeProvider();
        var dedup = new DtmfDeduplicator(time);
        Assert.True(dedup.ShouldReport('5', DtmfSource.RtpEvent));
        time.Advance(TimeSpan.FromMilliseconds(120));
        Assert.False(dedup.ShouldReport('5', DtmfSource.SipInfo));
        // The same press cannot be absorbed twice by one path: a third copy is a new press.
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(dedup.ShouldReport('5', DtmfSource.SipInfo));
    }

    [Fact]
    public void Quick_repeats_on_both_paths_pair_up_in_order()
    {
        var time = new FakeTimeProvider();
        var dedup = new DtmfDeduplicator(time);
        var reported = new List<char>();
        void Arrive(char digit, DtmfSource source, int afterMs)
        {
            time.Advance(TimeSpan.FromMilliseconds(afterMs));
            if (dedup.ShouldReport(digit, source))
            {
                reported.Add(digit);
            }
        }

        Arrive('5', DtmfSource.RtpEvent, 0);
        Arrive('5', DtmfSource.SipInfo, 100);
        Arrive('5', DtmfSource.RtpEvent, 150);
        Arrive('1', DtmfSource.RtpEvent, 150);
        Arrive('5', DtmfSource.SipInfo, 50);
        Arrive('1', DtmfSource.SipInfo, 50);
        Assert.Equal("551", new string([.. reported]));
    }

    [Fact]
    public void Same_digit_on_another_path_after_the_window_is_a_new_press()
    {
        var time = new FakeTimeProvider();
        var dedup = new DtmfDeduplicator(time, TimeSpan.FromMilliseconds(500));
        Assert.True(dedup.ShouldReport('9', DtmfSource.InBand));
        time.Advance(TimeSpan.FromMilliseconds(501));
        Assert.True(dedup.ShouldReport('9', DtmfSource.RtpEvent));
    }
}
