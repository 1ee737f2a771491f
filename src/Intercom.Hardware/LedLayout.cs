namespace Intercom.Hardware;

/// <summary>One status LED output.</summary>
/// <param name="Led">Which status it shows.</param>
/// <param name="Pin">BCM GPIO number.</param>
/// <param name="ActiveLow">True when the LED is lit by a low level (LED to 3.3 V through its resistor).</param>
public sealed record LedLayout(StatusLedKind Led, int Pin, bool ActiveLow);
