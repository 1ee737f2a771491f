using Intercom.Integrations.Mqtt;

namespace Intercom.Integrations.Tests;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Doubles_up_to_the_maximum_and_starts_again_after_a_success()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), () => 0);
        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(0, 6).Select(_ => backoff.Next().TotalSeconds));
        backoff.Reset();
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next());
    }

    [Fact]
    public void Jitter_takes_off_at_most_a_quarter_and_never_goes_below_the_minimum()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), () => 0.999);
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next());
        Assert.Equal(2 * (1 - (0.999 / 4)), backoff.Next().TotalSeconds, 6);
        Assert.Equal(4 * (1 - (0.999 / 4)), backoff.Next().TotalSeconds, 6);
    }

    [Fact]
    public void Refuses_a_maximum_below_the_minimum() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)));
}
