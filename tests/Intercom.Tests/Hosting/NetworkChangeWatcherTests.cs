using Intercom.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Tests.Hosting;

/// <summary>A burst of network notifications becomes one re-registration once it has settled; nothing after disposal.</summary>
public class NetworkChangeWatcherTests
{
    [Fact]
    public void A_burst_of_changes_re_registers_once_after_it_settled()
    {
        var time = new FakeTimeProvider();
        var calls = 0;
        using var watcher = new NetworkChangeWatcher(() => calls++, time, NullLogger.Instance, subscribe: false);

        // A link going down and coming back brings several notifications in quick succession.
        watcher.Notify("network unavailable");
        time.Advance(TimeSpan.FromMilliseconds(400));
        watcher.Notify("network available");
        time.Advance(TimeSpan.FromMilliseconds(400));
        watcher.Notify("addresses changed");
        time.Advance(NetworkChangeWatcher.SettleTime - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, calls);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, calls);

        // Quiet network: nothing more.
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, calls);

        // A later change is a new re-registration.
        watcher.Notify("network available");
        time.Advance(NetworkChangeWatcher.SettleTime);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Nothing_happens_after_disposal()
    {
        var time = new FakeTimeProvider();
        var calls = 0;
        var watcher = new NetworkChangeWatcher(() => calls++, time, NullLogger.Instance, subscribe: false);
        watcher.Notify("network available");
        watcher.Dispose();
        time.Advance(TimeSpan.FromMinutes(1));
        watcher.Notify("network available");
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, calls);
    }
}
