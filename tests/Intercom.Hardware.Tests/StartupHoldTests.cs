using Microsoft.Extensions.Time.Testing;

namespace Intercom.Hardware.Tests;

/// <summary>
/// The physical reset's rule (StartupHold): held from the start for 10 s, then let go before 60 s: a person. Let go
/// sooner, never held, pressed only after the start, or never let go (a stuck button, a shorted wire): nothing.
/// </summary>
public sealed class StartupHoldTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SimulatedBoard _board;
    private readonly List<StartupHoldState> _seen = [];

    public StartupHoldTests()
    {
        _board = new SimulatedBoard(
            new BoardLayout
            {
                Inputs = [new InputPinLayout(InputKind.ExitButton, "exit", 27, ActiveLow: true, PinPull.Up, TimeSpan.FromMilliseconds(50))],
                Relays = [new RelayLayout("door", 23, ActiveLow: false, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10))],
            },
            _time);
    }

    public void Dispose() => _board.Dispose();

    private StartupHold Watch() => StartupHold.Watch(_board, InputKind.ExitButton, "exit", _time, _seen.Add);

    // In steps of the poll interval, as the clock runs: one Advance fires a periodic timer's missed ticks all at its end.
    private void Wait(double seconds)
    {
        for (var left = TimeSpan.FromSeconds(seconds); left > TimeSpan.Zero; left -= StartupHold.PollInterval)
        {
            _time.Advance(left < StartupHold.PollInterval ? left : StartupHold.PollInterval);
        }
    }

    private void Hold() => _board.HoldInput(InputKind.ExitButton, "exit");

    private void LetGo() => _board.ReleaseInput(InputKind.ExitButton, "exit");

    [Fact]
    public void Held_from_the_start_for_ten_seconds_and_let_go_completes_the_gesture()
    {
        Hold();
        using var hold = Watch();
        Wait(9.9);
        Assert.Equal([StartupHoldState.Holding], _seen);

        Wait(0.2);
        Assert.Equal(StartupHoldState.Armed, hold.State);
        Wait(5);
        LetGo();
        Wait(0.4);
        Assert.Equal(StartupHoldState.Armed, hold.State); // a release counts once it has lasted half a second
        Wait(0.2);

        Assert.Equal([StartupHoldState.Holding, StartupHoldState.Armed, StartupHoldState.Completed], _seen);
        Assert.True(hold.IsDecided);
        Assert.DoesNotContain(_board.RelayTransitions, t => t.Energised);
    }

    [Fact]
    public void Let_go_before_ten_seconds_is_no_gesture_and_holding_again_changes_nothing()
    {
        Hold();
        using var hold = Watch();
        Wait(9);
        LetGo();
        Wait(1);
        Hold();
        Wait(60);
        LetGo();
        Wait(1);

        Assert.Equal([StartupHoldState.Holding, StartupHoldState.ReleasedEarly], _seen);
    }

    [Fact]
    public void Not_held_at_the_start_is_decided_at_once_and_a_later_long_press_is_no_gesture()
    {
        using var hold = Watch();
        Hold();
        Wait(15);
        LetGo();
        Wait(1);

        Assert.Equal([StartupHoldState.NotHeld], _seen);
        Assert.True(hold.IsDecided);
    }

    [Fact]
    public void A_stuck_input_never_completes_the_gesture_and_is_reported_after_sixty_seconds()
    {
        Hold();
        using var hold = Watch();
        Wait(59.9);
        Assert.Equal(StartupHoldState.Armed, hold.State);
        Wait(0.2);
        Assert.Equal(StartupHoldState.Stuck, hold.State);

        // Repaired (or let go) later: too late, nothing happens in this run.
        LetGo();
        Wait(5);
        Assert.Equal([StartupHoldState.Holding, StartupHoldState.Armed, StartupHoldState.Stuck], _seen);

        // A restart with the wire still shorted: the same again, never a reset.
        _seen.Clear();
        Hold();
        using var again = Watch();
        Wait(3600);
        Assert.Equal([StartupHoldState.Holding, StartupHoldState.Armed, StartupHoldState.Stuck], _seen);
    }

    [Fact]
    public void Contact_bounce_shorter_than_half_a_second_neither_ends_the_hold_nor_completes_it()
    {
        Hold();
        using var hold = Watch();
        Wait(4);
        LetGo();
        Wait(0.3);
        Hold();
        Wait(7);
        Assert.Equal(StartupHoldState.Armed, hold.State);

        LetGo();
        Wait(0.3);
        Hold();
        Wait(2);
        Assert.Equal(StartupHoldState.Armed, hold.State);
        LetGo();
        Wait(1);

        Assert.Equal([StartupHoldState.Holding, StartupHoldState.Armed, StartupHoldState.Completed], _seen);
    }

    [Fact]
    public void Let_go_just_before_sixty_seconds_still_counts()
    {
        Hold();
        using var hold = Watch();
        Wait(59.8);
        LetGo();
        Wait(1);

        Assert.Equal(StartupHoldState.Completed, hold.State);
    }

    [Fact]
    public void Disposed_undecided_it_never_completes()
    {
        Hold();
        var hold = Watch();
        Wait(12);
        hold.Dispose();
        LetGo();
        Wait(5);

        Assert.Equal([StartupHoldState.Holding, StartupHoldState.Armed], _seen);
    }
}
