using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Intercom.Audio;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Registration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Phone.Tests;

/// <summary>
/// Issue #18: the phone raises each account's registration change as a typed <see cref="AccountRegistrationChange"/>
/// (account, state, reason, registrar, status code) that the app forwards to the station's event bus; no one reads it
/// from a log line. Two "PBXs" on two loopback hosts over UDP; the second one refuses the password.
/// </summary>
public sealed class PhoneRegistrationEventTests : IDisposable
{
    private readonly TwoAccountPbxs _pbxs = new();

    public void Dispose() => _pbxs.Dispose();

    [Fact]
    public async Task Each_account_reports_its_own_registration_with_its_registrar_and_status_code()
    {
        using var phone = Start();
        var changes = await ChangesAsync(phone);

        await Eventually.UntilAsync(() => Last(changes, "a")?.State == RegistrationState.Registered
            && Last(changes, "b")?.State == RegistrationState.Registered, "a and b registered", state: () => string.Join("\n", changes));

        var a = Last(changes, "a")!;
        Assert.Equal(200, a.StatusCode);
        Assert.Equal($"udp:{_pbxs.A.HostPort}", a.Registrar, ignoreCase: true);
        Assert.Equal($"udp:{_pbxs.B.HostPort}", Last(changes, "b")!.Registrar, ignoreCase: true);
        Assert.StartsWith("200", a.Reason, StringComparison.Ordinal);

        // A change is a change: the same account never reports the same thing twice in a row.
        foreach (var account in new[] { "a", "b" })
        {
            var mine = changes.Where(c => c.AccountId == account).ToList();
            Assert.All(mine.Zip(mine.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
        }
    }

    [Fact]
    public async Task A_refused_password_is_reported_as_such_and_no_change_holds_a_secret()
    {
        _pbxs.B.RegisterStatus = 401;
        using var phone = Start();
        var changes = await ChangesAsync(phone);

        await Eventually.UntilAsync(() => Last(changes, "b")?.State == RegistrationState.AuthenticationFailed, "b's credentials refused",
            state: () => string.Join("\n", changes));
        await Eventually.UntilAsync(() => Last(changes, "a")?.State == RegistrationState.Registered, "a registered");

        var refused = Last(changes, "b")!;
        Assert.Equal(401, refused.StatusCode);
        Assert.Equal($"udp:{_pbxs.B.HostPort}", refused.Registrar, ignoreCase: true);
        // The REGISTER did carry the digest answer: what a change holds is not what the wire held.
        var answered = await _pbxs.B.WaitForAsync(r => r.Headers.Get("Authorization") is not null, "REGISTER with credentials");
        var digest = Regex.Match(answered.Headers.Get("Authorization")!, "response=\"?([0-9a-f]+)").Groups[1].Value;
        Assert.NotEmpty(digest);
        Assert.All(changes, c =>
        {
            var text = c.ToString();
            Assert.DoesNotContain("a-secret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("b-secret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("fake-nonce-4711", text, StringComparison.Ordinal);
            Assert.DoesNotContain(digest, text, StringComparison.Ordinal);
        });
    }

    /// <summary>Every change from the current state on: read and subscribed in one step on the SIP loop, as the app does.</summary>
    private static async Task<ConcurrentQueue<AccountRegistrationChange>> ChangesAsync(SipPhone phone)
    {
        var changes = new ConcurrentQueue<AccountRegistrationChange>();
        await phone.Sip.InvokeAsync(() =>
        {
            foreach (var change in phone.RegistrationStates)
            {
                changes.Enqueue(change);
            }

            phone.RegistrationChanged += changes.Enqueue;
            return true;
        }).WaitAsync(Eventually.DefaultTimeout);
        return changes;
    }

    private static AccountRegistrationChange? Last(ConcurrentQueue<AccountRegistrationChange> changes, string accountId) =>
        changes.LastOrDefault(c => c.AccountId == accountId);

    private SipPhone Start() => SipPhone.Start(
        new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "door-a", Product = "Intercom/test" } },
        [new PhoneListener(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
        new PhoneOptions
        {
            Name = "Front door",
            Accounts = [.. _pbxs.Accounts.Select(a => new AccountOptions
            {
                Id = a.Id, AddressOfRecord = a.AddressOfRecord, Register = true, Password = a.Password, KeepAliveInterval = null,
            })],
            Media = new CallMediaOptions { Formats = [Media.Sdp.MediaFormat.Pcmu] },
            Audio = new AudioOptions { Driver = AudioDriver.Null },
        },
        TimeProvider.System, NullLoggerFactory.Instance);
}
