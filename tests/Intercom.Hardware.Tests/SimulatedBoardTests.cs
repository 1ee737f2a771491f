using Microsoft.Extensions.Time.Testing;

namespace Intercom.Hardware.Tests;

public sealed class SimulatedBoardTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Pressing_methods_raise_the_same_events_as_pins()
    {
        using var board = new SimulatedBoard(new BoardLayout(), _time);
        List<(InputKind, string, InputGesture)> seen = [];
        var keys = "";
        board.InputChanged += (_, e) => seen.Add((e.Kind, e.InputId, e.Gesture));
        board.KeyPressed += (_, e) => keys += e.Key;

        board.PressButton("b2");
        board.PressExitButton();
        board.SetDoorOpen(true);
        board.SetTamper(true);
        board.PressKey('4');
        board.PressKey('#');

        Assert.Equal(
            [
                (InputKind.CallButton, "b2", InputGesture.Pressed),
                (InputKind.ExitButton, "exit", InputGesture.Pressed),
                (InputKind.DoorContact, "door", InputGesture.Activated),
                (InputKind.Tamper, "tamper", InputGesture.Activated),
            ],
            seen);
        Assert.Equal("4#", keys);
        Assert.True(board.IsDoorOpen);
        Assert.True(board.IsTamperActive);
    }

    [Fact]
    public void Relay_transitions_are_recorded_with_timestamps()
    {
        var start = _time.GetUtcNow();
        using var board = new SimulatedBoard(new BoardLayout
        {
            Relays = [new RelayLayout("gate", 24, false, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5))],
        }, _time);

        _time.Advance(TimeSpan.FromSeconds(1));
        board.OpenRelay("gate");
        _time.Advance(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(
            [
                new RelayTransition("gate", false, start),
                new RelayTransition("gate", true, start.AddSeconds(1)),
                new RelayTransition("gate", false, start.AddSeconds(3)),
            ],
            board.RelayTransitions);
    }

    [Fact]
    public void Led_state_is_kept_and_lit_level_follows_it()
    {
        using var board = new SimulatedBoard(new BoardLayout(), _time);

        board.SetLed(StatusLedKind.InCall, LedState.On);
        board.SetLed(StatusLedKind.Fault, LedState.Blink);

        Assert.Equal(LedState.On, board.GetLed(StatusLedKind.InCall));
        Assert.True(board.IsLedLit(StatusLedKind.InCall));
        Assert.True(board.IsLedLit(StatusLedKind.Fault));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(board.IsLedLit(StatusLedKind.Fault));
        Assert.True(board.IsLedLit(StatusLedKind.InCall));
    }
}
