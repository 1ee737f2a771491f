namespace Intercom.Hardware;

/// <summary>One relay output.</summary>
/// <param name="Id">Its id ("door", "gate", "light").</param>
/// <param name="Pin">BCM GPIO number.</param>
/// <param name="ActiveLow">True for "low-level trigger" relay modules (the coil is energised when the pin is low).</param>
/// <param name="Pulse">How long an open command energises the relay.</param>
/// <param name="Maximum">The hard limit of one energised period, whatever commands repeat.</param>
public sealed record RelayLayout(string Id, int Pin, bool ActiveLow, TimeSpan Pulse, TimeSpan Maximum);
