using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Phone;

/// <summary>
/// One account's registration changed (RFC 3261 §10): what a person or home automation may know of it, and no more.
/// Holds no secret (no password, digest response or nonce: the client's reasons name status lines and addresses only)
/// and not the binding's expiry, so a refresh that only renews the binding is not a change.
/// </summary>
/// <param name="AccountId">The account's id (accounts[].id).</param>
/// <param name="State">Where its registration stands.</param>
/// <param name="Reason">Why, in words: "200 OK", "408 no answer from UDP:192.0.2.7:5060", "403 Forbidden after credentials".</param>
/// <param name="StatusCode">The status code of the registrar's last final response, when there was one.</param>
/// <param name="Registrar">Where the last REGISTER went, as transport:address:port ("udp:192.0.2.7:5060"), when known.</param>
public sealed record AccountRegistrationChange(string AccountId, RegistrationState State, string Reason, int? StatusCode, string? Registrar)
{
    /// <summary>The change <paramref name="status"/> of <paramref name="accountId"/>'s client reports.</summary>
    public static AccountRegistrationChange Of(string accountId, RegistrationStatus status)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(status);
        return new(accountId, status.State, status.Reason, status.StatusCode, status.Registrar?.ToString());
    }
}
