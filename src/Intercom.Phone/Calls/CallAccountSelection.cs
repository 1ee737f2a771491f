using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent;

namespace Intercom.Phone;

/// <summary>
/// Which account a call belongs to, as baresip's and pjsua's accounts work: an outgoing call goes out through the account
/// named for it (a ring group's or the API's "account"), else the one whose server its target is on, else the first; a
/// call that fails on the account's side falls over to the next account; an incoming call belongs to the account whose
/// binding it reached. Every per-account setting (identity, route, transport, SRTP, credentials) then comes from that one.
/// </summary>
internal static class CallAccountSelection
{
    /// <summary>The account whose id is <paramref name="id"/>, or null when none has it.</summary>
    public static CallAccount? Named(IReadOnlyList<CallAccount> accounts, string id)
    {
        foreach (var account in accounts)
        {
            if (string.Equals(account.Id, id, StringComparison.Ordinal))
            {
                return account;
            }
        }

        return null;
    }

    /// <summary>The first account whose domain, registrar or outbound proxy <paramref name="target"/> is on, else the default (the first).</summary>
    public static CallAccount ForTarget(IReadOnlyList<CallAccount> accounts, SipUri target)
    {
        foreach (var account in accounts)
        {
            if (account.Serves(target))
            {
                return account;
            }
        }

        return accounts[0];
    }

    /// <summary>
    /// The account an incoming call reached: the one whose server (its registration's flow) the INVITE came from and whose
    /// binding's user (the Contact of its REGISTER carries the AOR's user) the Request-URI names; else the first whose
    /// server it came from; else the first whose user it names (a direct call to that account's name at our address);
    /// else the default. Only the account's settings follow from this: the caller was admitted (or not) before.
    /// </summary>
    public static CallAccount Reached(IReadOnlyList<CallAccount> accounts, SipCall call)
    {
        var user = call.IncomingRequest?.RequestUri.User;
        var source = call.IncomingSource?.Address;
        var transport = call.IncomingTransport;
        CallAccount? byServer = null;
        CallAccount? byUser = null;
        foreach (var account in accounts)
        {
            var fromServer = source is not null && transport is { } protocol && account.CameThroughServer?.Invoke(protocol, source) == true;
            var sameUser = user is not null && string.Equals(account.Identity.Uri.User, user, StringComparison.Ordinal);
            if (fromServer && sameUser)
            {
                return account;
            }

            if (fromServer)
            {
                byServer ??= account;
            }
            else if (sameUser)
            {
                byUser ??= account;
            }
        }

        return byServer ?? byUser ?? accounts[0];
    }

    /// <summary>
    /// True when an outgoing call that never rang ended because of its account's side, so another account may reach the
    /// callee: no server answered (transport error, RFC 3261 §17.1.1.2 Timer B), the server refused the account (401/407
    /// its credentials could not answer, 403) or failed (5xx). A callee's own answer (486 busy, 603 decline, 404, 480)
    /// ends the attempt as it is.
    /// </summary>
    public static bool FailsOver(SipCall call) => call.EndReason switch
    {
        CallEndReason.TransportError or CallEndReason.Timeout => true,
        CallEndReason.Rejected => call.EndStatus is 401 or 403 or 407 or (>= 500 and < 600),
        _ => false,
    };

    /// <summary>The first account of <paramref name="accounts"/> (configuration order) not yet in <paramref name="tried"/>.</summary>
    public static CallAccount? Next(IReadOnlyList<CallAccount> accounts, IReadOnlyCollection<CallAccount> tried)
    {
        foreach (var account in accounts)
        {
            if (!tried.Contains(account))
            {
                return account;
            }
        }

        return null;
    }

    /// <summary>A SIP URI as given, or an extension on the account's domain ("12" → sip:12@pbx.example).</summary>
    public static bool TryTargetUri(string target, CallAccount account, out SipUri uri)
    {
        var text = target.Contains(':', StringComparison.Ordinal) ? target : $"sip:{target}@{account.Domain}";
        if (SipUri.TryParse(text, out var parsed) && parsed.IsSip)
        {
            uri = parsed;
            return true;
        }

        uri = null!;
        return false;
    }

    /// <summary>
    /// Where a call that failed on <paramref name="failed"/> goes through <paramref name="next"/>: an extension, or a URI on
    /// the failed account's own servers, names the same user on the next account's domain (the PBX that was down is not
    /// asked again); a URI elsewhere stays as it was.
    /// </summary>
    public static bool TryRetarget(string target, SipUri previous, CallAccount failed, CallAccount next, out SipUri uri)
    {
        if (!target.Contains(':', StringComparison.Ordinal))
        {
            return TryTargetUri(target, next, out uri);
        }

        if (failed.Serves(previous) && previous.User is { } user)
        {
            var domain = next.Identity.Uri;
            uri = new SipUri(previous.Scheme, user, domain.Host, domain.Port);
            return true;
        }

        uri = previous;
        return true;
    }
}
