using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Hosting;

/// <summary>One registering account of the configuration and the client that keeps it registered.</summary>
/// <param name="AccountId">The account's "id" in the configuration.</param>
/// <param name="AddressOfRecord">Its address-of-record, as configured.</param>
/// <param name="Client">The registration client (replaced, with a new record, when the account changes).</param>
public sealed record AccountRegistration(string AccountId, string AddressOfRecord, RegistrationClient Client);
