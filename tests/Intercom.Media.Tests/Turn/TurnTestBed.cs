using Intercom.Media.Turn;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Media.Tests.Turn;

/// <summary>A client allocation against a <see cref="FakeTurnServer"/> on a fake clock.</summary>
internal sealed class TurnTestBed : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public TurnTestBed(TurnAllocationOptions? options = null, string password = "p", Action<FakeTurnServer>? server = null)
    {
        Server = new FakeTurnServer(Time);
        server?.Invoke(Server);
        Allocation = new TurnAllocation(Server, Server.Address, new TurnCredentials("u", password), options, Time);
        Server.Client = Allocation;
    }

    public FakeTimeProvider Time { get; } = new();

    public FakeTurnServer Server { get; }

    public TurnAllocation Allocation { get; }

    /// <summary>Milliseconds on the fake clock.</summary>
    public long Now => (long)(Time.GetUtcNow() - Time.Start).TotalMilliseconds;

    public async Task<TurnTestBed> AllocatedAsync()
    {
        await Allocation.AllocateAsync().WaitAsync(Bound);
        return this;
    }

    /// <summary>Waits until the requests the clock started have settled (their renewals armed), so the clock can move on.</summary>
    public Task SettleAsync() =>
        Eventually.UntilAsync(() => Allocation.BackgroundRequests == 0, "the allocation's background requests settled");

    /// <summary>Moves the clock to <paramref name="milliseconds"/> since the start, then settles.</summary>
    public async Task AdvanceToAsync(long milliseconds)
    {
        Assert.True(milliseconds >= Now, "the clock only moves forward");
        Time.Advance(TimeSpan.FromMilliseconds(milliseconds - Now));
        await SettleAsync();
    }

    /// <summary>Releases the allocation; the server answers again first (the release would otherwise wait on a clock nobody moves).</summary>
    /// <summary>
    /// Moves the clock to <paramref name="milliseconds"/> and waits until the server has seen <paramref name="count"/>
    /// requests of <paramref name="method"/> (for steps where nothing settles: the server is silent).
    /// </summary>
    public async Task StepAsync(long milliseconds, Intercom.Media.Nat.StunMethod method, int count)
    {
        Time.Advance(TimeSpan.FromMilliseconds(milliseconds - Now));
        await Eventually.UntilAsync(() => Server.RequestsOf(method).Count() >= count, $"{count} {method} request(s) by {milliseconds} ms",
            state: () => string.Join(", ", Server.RequestsOf(method).Select(r => r.At)));
        Assert.Equal(count, Server.RequestsOf(method).Count());
    }

    public async ValueTask DisposeAsync()
    {
        Server.Silent = false;
        await Allocation.DisposeAsync().AsTask().WaitAsync(Bound);
    }
}
