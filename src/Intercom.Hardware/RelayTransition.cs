namespace Intercom.Hardware;

/// <summary>One recorded relay level change on the simulated board.</summary>
/// <param name="RelayId">The relay.</param>
/// <param name="Energised">The new state.</param>
/// <param name="At">When (board's TimeProvider).</param>
public sealed record RelayTransition(string RelayId, bool Energised, DateTimeOffset At);
