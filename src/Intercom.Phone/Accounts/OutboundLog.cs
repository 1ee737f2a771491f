using Intercom.Sip.UserAgent.Registration;
using Microsoft.Extensions.Logging;

namespace Intercom.Phone;

/// <summary>
/// Logs when an account's registration starts or stops using SIP outbound (RFC 5626 §4.2.1: the registrar's 2xx said
/// Require: outbound), once per change rather than at every refresh. Runs on the SIP loop, where statuses are raised.
/// </summary>
internal sealed partial class OutboundLog(ILogger log)
{
    private readonly Dictionary<string, bool> _inUse = new(StringComparer.Ordinal);

    public void OnStatus(AccountRegistration registration, RegistrationStatus status)
    {
        var had = _inUse.GetValueOrDefault(registration.AccountId);
        if (status.Outbound == had || (had && status.State == RegistrationState.Registering))
        {
            // A new flow being registered is not yet a change: the next 2xx says whether outbound holds.
            return;
        }

        _inUse[registration.AccountId] = status.Outbound;
        if (status.Outbound)
        {
            LogInUse(log, registration.AccountId, status.Reason);
        }
        else
        {
            LogNotInUse(log, registration.AccountId, status.State, status.Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "account {Account}: SIP outbound in use (RFC 5626): {Reason}")]
    private static partial void LogInUse(ILogger logger, string account, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "account {Account}: SIP outbound no longer in use ({State}: {Reason})")]
    private static partial void LogNotInUse(ILogger logger, string account, RegistrationState state, string reason);
}
