using Intercom.Hardware;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Time.Testing;
using System.Device.Gpio;

namespace Intercom.Station.Tests;

/// <summary>The default configuration on a GpioBoard, from pin edges in to pin levels out.</summary>
public sealed class GpioStationTests : IDisposable
{
    private readonly TestGpioDriver _driver = new();
    private readonly GpioController _controller;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeCallControl _calls = new();

    public GpioStationTests()
    {
        _controller = new GpioController(_driver);

        // Idle levels: buttons pulled up, door closed (reed to ground), housing shut.
        _driver.Preset(DefaultPinMap.CallButton, PinValue.High);
        _driver.Preset(DefaultPinMap.ExitButton, PinValue.High);
        _driver.Preset(DefaultPinMap.DoorContact, PinValue.Low);
        _driver.Preset(DefaultPinMap.Tamper, PinValue.Low);
    }

    public void Dispose() => _controller.Dispose();

    private static StationConfig Config()
    {
        var config = StationFixture.ValidConfig();
        config.Board.Keypad = new KeypadWiringConfig();
        return config;
    }

    [Fact]
    public void Default_configuration_opens_every_pin_once_with_relays_released()
    {
        using var board = new GpioBoard(BoardLayoutBuilder.Build(Config()), _controller, _time);

        foreach (var (_, pin) in DefaultPinMap.Entries)
        {
            Assert.True(_driver.IsOpen(pin), $"GPIO {pin} not opened");
        }

        Assert.Equal(PinValue.Low, _driver.LevelOf(DefaultPinMap.DoorRelay));
        Assert.Equal(PinMode.InputPullUp, _driver.ModeOf(DefaultPinMap.CallButton));
        Assert.Equal(PinMode.Input, _driver.ModeOf(DefaultPinMap.Tamper));
        Assert.False(board.IsDoorOpen);
    }

    [Fact]
    public void Exit_button_edge_drives_the_strike_pin_for_the_pulse_and_lights_the_led()
    {
        var config = Config();
        using var board = new GpioBoard(BoardLayoutBuilder.Build(config), _controller, _time);
        using var station = new DoorStation(config, board, _calls, _time);
        station.Start();

        _driver.Drive(DefaultPinMap.ExitButton, PinValue.Low);
        _driver.Drive(DefaultPinMap.ExitButton, PinValue.High);

        Assert.Equal(PinValue.High, _driver.LevelOf(DefaultPinMap.DoorRelay));
        Assert.Equal(PinValue.High, _driver.LevelOf(DefaultPinMap.LedDoorOpen));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(PinValue.Low, _driver.LevelOf(DefaultPinMap.DoorRelay));
        Assert.Equal(PinValue.Low, _driver.LevelOf(DefaultPinMap.LedDoorOpen));
    }

    [Fact]
    public void Call_button_edge_dials_the_ring_group()
    {
        var config = Config();
        using var board = new GpioBoard(BoardLayoutBuilder.Build(config), _controller, _time);
        using var station = new DoorStation(config, board, _calls, _time);
        station.Start();

        _driver.Drive(DefaultPinMap.CallButton, PinValue.Low);
        _driver.Drive(DefaultPinMap.CallButton, PinValue.High);

        Assert.Equal(2, _calls.Dialled.Count);
        Assert.Equal(PinValue.High, _driver.LevelOf(DefaultPinMap.LedCalling));
    }

    [Fact]
    public void Station_dispose_releases_an_energised_strike_pin()
    {
        var config = Config();
        using var board = new GpioBoard(BoardLayoutBuilder.Build(config), _controller, _time);
        var station = new DoorStation(config, board, _calls, _time);
        station.Start();
        station.OpenRelay("door", "test");
        Assert.Equal(PinValue.High, _driver.LevelOf(DefaultPinMap.DoorRelay));

        station.Dispose();

        Assert.Equal(PinValue.Low, _driver.LevelOf(DefaultPinMap.DoorRelay));
    }
}
