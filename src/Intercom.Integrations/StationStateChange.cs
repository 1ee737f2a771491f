namespace Intercom.Integrations;

/// <summary>A part of the station's state changed; its current value is read from <see cref="StationFeed"/>.</summary>
/// <param name="Kind">Which part.</param>
/// <param name="Id">The relay or account id; null for the call state.</param>
public readonly record struct StationStateChange(StationStateKind Kind, string? Id);
