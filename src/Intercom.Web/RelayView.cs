namespace Intercom.Web;

/// <summary>One relay on the status page.</summary>
/// <param name="Id">The relay's id ("door", "gate", "light").</param>
/// <param name="Energised">True while it is energised.</param>
/// <param name="CanHold">True when it may be held open (relays[].mode Hold).</param>
/// <param name="Held">True while it is held open on purpose (not merely pulsed).</param>
/// <param name="HeldBy">Who holds it: the page or a token, "mqtt", "schedule ID".</param>
/// <param name="HeldUntil">When the hold ends by itself; null: until released (or its schedule ends).</param>
public sealed record RelayView(string Id, bool Energised, bool CanHold = false, bool Held = false, string? HeldBy = null, DateTimeOffset? HeldUntil = null);
