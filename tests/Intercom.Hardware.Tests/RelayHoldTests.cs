using Microsoft.Extensions.Time.Testing;

namespace Intercom.Hardware.Tests;

/// <summary>
/// Holding a relay (IBoard.HoldRelay): the one energising its maximum does not bound, ended by a release, its own duration
/// or any exit path (ReleaseAll, dispose), never by a later pulse.
/// </summary>
public sealed class RelayHoldTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private SimulatedBoard Board() => new(new BoardLayout
    {
        Relays = [new RelayLayout("door", 23, false, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10))],
    }, _time);

    private void Run(TimeSpan total)
    {
        for (var t = TimeSpan.Zero; t < total; t += TimeSpan.FromMilliseconds(100))
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public void A_hold_outlasts_the_maximum_until_released()
    {
        using var board = Board();

        Assert.True(board.HoldRelay("door"));
        Run(TimeSpan.FromHours(2));
        Assert.True(board.IsRelayEnergised("door"));
        Assert.True(board.IsRelayHeld("door"));

        Assert.True(board.ReleaseRelay("door"));
        Assert.False(board.IsRelayEnergised("door"));
        Assert.False(board.IsRelayHeld("door"));
        Assert.Equal([false, true, false], board.RelayTransitions.Select(t => t.Energised));
    }

    [Fact]
    public void A_timed_hold_ends_by_itself_at_its_time_and_no_rest_follows()
    {
        using var board = Board();
        var start = _time.GetUtcNow();

        board.HoldRelay("door", TimeSpan.FromMinutes(30));
        Run(TimeSpan.FromMinutes(29.9));
        Assert.True(board.IsRelayEnergised("door"));
        Run(TimeSpan.FromMinutes(0.2));

        Assert.False(board.IsRelayEnergised("door"));
        Assert.Equal(start + TimeSpan.FromMinutes(30), board.RelayTransitions[^1].At);
        Assert.True(board.OpenRelay("door")); // a hold is not a cut-off: the next open is not refused
    }

    [Fact]
    public void A_pulse_during_a_hold_neither_ends_it_nor_bounds_it_and_extends_a_hold_that_ends_sooner()
    {
        using var board = Board();

        board.HoldRelay("door");
        Assert.True(board.OpenRelay("door"));
        Run(TimeSpan.FromMinutes(5));
        Assert.True(board.IsRelayHeld("door"));

        board.HoldRelay("door", TimeSpan.FromSeconds(1));
        board.OpenRelay("door"); // 3 s pulse: the door stays open at least that long
        Run(TimeSpan.FromSeconds(2.9));
        Assert.True(board.IsRelayEnergised("door"));
        Run(TimeSpan.FromSeconds(0.2));
        Assert.False(board.IsRelayEnergised("door"));
        Assert.Single(board.RelayTransitions, t => t.Energised);
    }

    [Fact]
    public void A_pulse_turned_into_a_hold_is_no_longer_bounded_by_the_maximum()
    {
        using var board = Board();

        board.OpenRelay("door");
        Run(TimeSpan.FromSeconds(1));
        board.HoldRelay("door");
        Run(TimeSpan.FromSeconds(60));

        Assert.True(board.IsRelayEnergised("door"));
        Assert.Single(board.RelayTransitions, t => t.Energised);
    }

    [Fact]
    public void Release_all_and_dispose_end_a_hold()
    {
        var board = Board();
        board.HoldRelay("door");

        board.ReleaseAll();
        Assert.False(board.IsRelayEnergised("door"));
        Assert.False(board.IsRelayHeld("door"));

        board.HoldRelay("door");
        board.Dispose();
        Assert.False(board.RelayTransitions[^1].Energised);
        Assert.False(board.HoldRelay("door"));
    }

    [Fact]
    public void Unknown_relays_and_non_positive_durations_are_refused()
    {
        using var board = Board();

        Assert.False(board.HoldRelay("garage"));
        Assert.False(board.ReleaseRelay("garage"));
        Assert.False(board.HoldRelay("door", TimeSpan.Zero));
        Assert.False(board.IsRelayEnergised("door"));
    }
}
