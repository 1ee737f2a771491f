namespace Intercom.TestSupport;

/// <summary>An account of <see cref="TwoAccountPbxs"/>: its id, address-of-record, password and display name.</summary>
public sealed record TestSipAccount(string Id, string AddressOfRecord, string Password, string? DisplayName = null);
