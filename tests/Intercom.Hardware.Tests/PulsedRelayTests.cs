using Microsoft.Extensions.Time.Testing;

namespace Intercom.Hardware.Tests;

public sealed class PulsedRelayTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private SimulatedBoard Board(int pulseMs = 3000, int maxMs = 10000) => new(new BoardLayout
    {
        Relays = [new RelayLayout("door", 23, false, TimeSpan.FromMilliseconds(pulseMs), TimeSpan.FromMilliseconds(maxMs))],
    }, _time);

    // FakeTimeProvider runs a timer's callback with the clock already at the end of Advance; stepping in 10 ms
    // makes the recorded timestamps as fine as a real board's.
    private void Run(TimeSpan total)
    {
        for (var t = TimeSpan.Zero; t < total; t += TimeSpan.FromMilliseconds(10))
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    private static TimeSpan EnergisedFor(SimulatedBoard board)
    {
        var total = TimeSpan.Zero;
        DateTimeOffset? since = null;
        foreach (var t in board.RelayTransitions)
        {
            if (t.Energised && since is null)
            {
                since = t.At;
            }
            else if (!t.Energised && since is { } start)
            {
                total += t.At - start;
                since = null;
            }
        }

        return total;
    }

    [Fact]
    public void Relay_is_released_at_start()
    {
        using var board = Board();

        var first = Assert.Single(board.RelayTransitions);
        Assert.False(first.Energised);
    }

    [Fact]
    public void Pulse_lasts_the_configured_time()
    {
        using var board = Board();

        board.OpenRelay("door");
        Run(TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(3), EnergisedFor(board));
    }

    [Fact]
    public void Repeated_open_extends_the_pulse()
    {
        using var board = Board();

        board.OpenRelay("door");
        Run(TimeSpan.FromSeconds(2));
        board.OpenRelay("door");
        Run(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(5), EnergisedFor(board));
        Assert.Equal(3, board.RelayTransitions.Count);
    }

    [Fact]
    public void Repeated_opens_never_hold_the_relay_past_the_maximum()
    {
        using var board = Board(pulseMs: 3000, maxMs: 10000);

        board.OpenRelay("door");
        for (var i = 0; i < 20; i++)
        {
            Run(TimeSpan.FromSeconds(1));
            board.OpenRelay("door");
        }

        Run(TimeSpan.FromSeconds(30));

        var energised = board.RelayTransitions.Where(t => t.Energised).ToList();
        Assert.True(energised.Count >= 1);
        // No energised period is longer than the maximum, and the relay rests one pulse after a cut-off.
        var transitions = board.RelayTransitions;
        for (var i = 1; i + 1 < transitions.Count; i++)
        {
            if (transitions[i].Energised)
            {
                Assert.True(transitions[i + 1].At - transitions[i].At <= TimeSpan.FromSeconds(10));
            }
        }

        Assert.Equal(transitions[1].At + TimeSpan.FromSeconds(10), transitions[2].At);
        Assert.Equal(transitions[2].At + TimeSpan.FromSeconds(3), transitions[3].At);
    }

    [Fact]
    public void Requested_duration_above_the_maximum_is_cut_to_the_maximum()
    {
        using var board = Board(pulseMs: 3000, maxMs: 10000);

        board.OpenRelay("door", TimeSpan.FromMinutes(5));
        Run(TimeSpan.FromMinutes(10));

        Assert.Equal(TimeSpan.FromSeconds(10), EnergisedFor(board));
    }

    [Fact]
    public void Open_is_refused_while_resting_after_a_cut_off()
    {
        using var board = Board(pulseMs: 3000, maxMs: 4000);

        board.OpenRelay("door");
        Run(TimeSpan.FromSeconds(2));
        board.OpenRelay("door");
        Run(TimeSpan.FromSeconds(2));
        Assert.False(board.IsRelayEnergised("door"));

        Assert.False(board.OpenRelay("door"));
        Run(TimeSpan.FromSeconds(3));
        Assert.True(board.OpenRelay("door"));
    }

    [Fact]
    public void Unknown_relay_is_refused()
    {
        using var board = Board();

        Assert.False(board.OpenRelay("garage"));
        Assert.False(board.IsRelayEnergised("garage"));
    }

    [Fact]
    public void ReleaseAll_from_many_threads_leaves_every_relay_released()
    {
        using var board = Board();
        board.OpenRelay("door");

        Parallel.For(0, 16, _ => board.ReleaseAll());

        Assert.False(board.IsRelayEnergised("door"));
        Assert.False(board.RelayTransitions[^1].Energised);
    }
}
