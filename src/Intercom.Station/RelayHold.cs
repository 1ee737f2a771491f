namespace Intercom.Station;

/// <summary>A relay held open now (the status page and the API).</summary>
/// <param name="RelayId">The relay.</param>
/// <param name="By">Who holds it: the page or a token, "mqtt", "schedule ID".</param>
/// <param name="Until">When the hold ends by itself; null: until released (or its schedule ends).</param>
public sealed record RelayHold(string RelayId, string By, DateTimeOffset? Until);
