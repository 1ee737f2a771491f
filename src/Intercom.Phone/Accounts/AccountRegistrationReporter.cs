using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Phone;

/// <summary>
/// Turns the registration clients' status reports into <see cref="AccountRegistrationChange"/>s, one per change of what
/// an account's registration says (state, reason, registrar, status code): a refresh that only moves the expiry raises
/// nothing. Subscribed before the first REGISTER, so no change is missed; raised on the SIP loop, which owns the table.
/// </summary>
internal sealed class AccountRegistrationReporter
{
    // SIP loop only: the last change raised per account (a stopped account is forgotten).
    private readonly Dictionary<string, AccountRegistrationChange> _last = new(StringComparer.Ordinal);

    public AccountRegistrationReporter(AccountRegistrations accounts)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        accounts.StatusChanged += OnStatus;
    }

    /// <summary>An account's registration changed; raised on the SIP loop (handlers must return at once).</summary>
    public event Action<AccountRegistrationChange>? Changed;

    private void OnStatus(AccountRegistration registration, RegistrationStatus status)
    {
        var change = AccountRegistrationChange.Of(registration.AccountId, status);
        if (_last.TryGetValue(change.AccountId, out var last) && last == change)
        {
            return;
        }

        if (change.State == RegistrationState.Stopped)
        {
            _last.Remove(change.AccountId);
        }
        else
        {
            _last[change.AccountId] = change;
        }

        Changed?.Invoke(change);
    }
}
