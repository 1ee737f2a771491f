using System.Text;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Phone;
using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent.Registration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Tests.Hosting;

/// <summary>
/// Account, media and name changes applied to the running app (StationApp.ReconfigureCallsAsync, the path PUT /api/config
/// takes): the registrar sees the old binding removed (Expires: 0, RFC 3261 §10.2.2) and the new one made; a call that is
/// up keeps its dialog; the next call uses the new account and codecs.
/// </summary>
public sealed class LiveAccountChangeTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeSipPeer _registrar = new();

    public void Dispose() => _registrar.Dispose();

    [Fact]
    public async Task A_changed_user_removes_the_old_binding_and_registers_the_new_one()
    {
        using var app = Start(Account("pbx", "door"));
        await RegisteredAsync(app, "pbx", "door");

        var applied = await app.ReconfigureCallsAsync(Config(Account("pbx", "door2")));

        Assert.Equal(["accounts"], applied);
        var removal = await _registrar.WaitForAsync(r => IsRegister(r, "door", expires: 0), "un-REGISTER of door");
        await RegisteredAsync(app, "pbx", "door2");
        var binding = await _registrar.WaitForAsync(r => IsRegister(r, "door2", expires: 600), "REGISTER of door2");
        Assert.Equal("door", Assert.Single(removal.Contacts).Uri.User);
        Assert.Equal("door2", Assert.Single(binding.Contacts).Uri.User);
        var registration = Assert.Single(app.Accounts.Current);
        Assert.Equal($"sip:door2@{_registrar.HostPort}", registration.AddressOfRecord);
        Assert.Equal("door2", app.Calls.Account.Identity.Uri.User);
        // The old client said nothing more after its binding was removed; the new one registered once.
        Assert.Equal(1, _registrar.Registers.Count(r => r.User == "door2"));
    }

    [Fact]
    public async Task A_changed_password_re_registers_the_same_binding_without_removing_it()
    {
        using var app = Start(Account("pbx", "door"));
        await RegisteredAsync(app, "pbx", "door");
        var firstCallId = _registrar.Registers.Single().CallId;

        var changed = Account("pbx", "door");
        changed.Password = "new-secret";
        changed.ExpiresSeconds = 900;
        Assert.Equal(["accounts"], await app.ReconfigureCallsAsync(Config(changed)));

        // A new client (new Call-ID) refreshes the binding with the new settings (§10.3 step 7 updates it); an Expires: 0
        // from the old client could overtake the new REGISTER and remove the binding, so none is sent.
        var refreshed = await _registrar.WaitForAsync(r => IsRegister(r, "door", expires: 900), "REGISTER with the new expiry");
        Assert.NotEqual(firstCallId, refreshed.CallId);
        await RegisteredAsync(app, "pbx", "door");
        Assert.DoesNotContain(_registrar.Registers, r => r.Expires == 0);
    }

    [Fact]
    public async Task Removed_and_disabled_accounts_remove_their_bindings_and_an_added_one_registers()
    {
        using var app = Start(Account("a", "alpha"), Account("b", "beta"));
        await RegisteredAsync(app, "a", "alpha");
        await RegisteredAsync(app, "b", "beta");

        var disabled = Account("b", "beta");
        disabled.Register = false;
        Assert.Equal(["accounts"], await app.ReconfigureCallsAsync(Config(disabled, Account("c", "gamma"))));

        await _registrar.WaitForAsync(r => IsRegister(r, "alpha", expires: 0), "un-REGISTER of the removed account");
        await _registrar.WaitForAsync(r => IsRegister(r, "beta", expires: 0), "un-REGISTER of the disabled account");
        await RegisteredAsync(app, "c", "gamma");
        Assert.Equal(["c"], app.Accounts.Current.Select(r => r.AccountId));
        // The first account is the call identity: now the disabled one, which still places calls (direct, unregistered).
        Assert.Equal("beta", app.Calls.Account.Identity.Uri.User);
    }

    [Fact]
    public async Task A_changed_registration_backoff_renews_the_clients_with_it_and_keeps_the_binding()
    {
        using var app = Start(Account("pbx", "door"));
        await RegisteredAsync(app, "pbx", "door");
        var before = app.Accounts.Current[0].Client;

        var next = Config(Account("pbx", "door"));
        next.Sip.RegistrationBackoff = new SipRegistrationBackoffConfig { BaseSeconds = 5, MaxSeconds = 60 };
        Assert.Equal(["sip.registrationBackoff"], await app.ReconfigureCallsAsync(next));

        var after = app.Accounts.Current[0].Client;
        Assert.NotSame(before, after);
        Assert.Equal(TimeSpan.FromSeconds(5), after.Options.RetryBaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), after.Options.RetryMaximumDelay);
        await _registrar.WaitForAsync(r => r.Method == SipMethods.Register && r.CallId == after.CallId, "REGISTER of the renewed client");
        await RegisteredAsync(app, "pbx", "door");
        Assert.DoesNotContain(_registrar.Registers, r => r.Expires == 0);
    }

    [Fact]
    public async Task The_station_stays_registered_while_any_account_is_and_not_once_none_is()
    {
        using var app = Start(Account("a", "alpha"), Account("b", "beta"));
        await RegisteredAsync(app, "a", "alpha");
        await RegisteredAsync(app, "b", "beta");
        await WaitForAsync(() => app.Station.GetStatus().Registered == true, "station registered");
        var removed = app.Accounts.Current[1].Client;

        await app.ReconfigureCallsAsync(Config(Account("a", "alpha")));
        await WaitForAsync(() => removed.Status.State == RegistrationState.Stopped, "b unregistered", app);
        await app.ReconfigureCallsAsync(Config());
        await WaitForAsync(() => app.Station.GetStatus().Registered == false, "station not registered");

        // The station loop handles reports in order: b's removal came first and did not turn the station unregistered.
        // The station-wide events only: each account's own changes are logged under the same kind.
        var registrationEvents = app.Station.Events.Snapshot().Where(e => e.Detail is Intercom.Station.Events.RegistrationChanged).ToList();
        var sinceRegistered = registrationEvents.Skip(registrationEvents.FindLastIndex(e => e.Message.StartsWith("registered (", StringComparison.Ordinal)) + 1);
        Assert.StartsWith("not registered (a: ", Assert.Single(sinceRegistered).Message, StringComparison.Ordinal);
        Assert.Equal("intercom", app.Calls.Account.Identity.Uri.User);
    }

    [Fact]
    public async Task Incoming_digest_authentication_is_turned_on_and_off_for_the_next_incoming_call()
    {
        using var app = Start();
        Assert.Null(app.Sip.Agent.IncomingAuthentication);

        var on = Config();
        on.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Username = "door", Password = "incoming-secret" };
        Assert.Equal(["sip.incomingAuth"], await app.ReconfigureCallsAsync(on));
        Assert.NotNull(app.Sip.Agent.IncomingAuthentication);

        Assert.Equal(["sip.incomingAuth"], await app.ReconfigureCallsAsync(Config()));
        Assert.Null(app.Sip.Agent.IncomingAuthentication);
    }

    [Fact]
    public async Task An_unchanged_configuration_applies_nothing_and_sends_nothing()
    {
        using var app = Start(Account("pbx", "door"));
        await RegisteredAsync(app, "pbx", "door");
        var client = app.Accounts.Current[0].Client;

        Assert.Empty(await app.ReconfigureCallsAsync(Config(Account("pbx", "door"))));

        Assert.Same(client, app.Accounts.Current[0].Client);
        Assert.Equal(1, client.RegisterRequestsSent);
    }

    [Fact]
    public async Task The_call_in_progress_keeps_its_dialog_and_the_next_call_uses_the_new_account_and_codecs()
    {
        var config = Config(Account("pbx", "door"));
        config.Media.Codecs = ["pcmu", "pcma"];
        using var app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        var peer = $"sip:peer@{_registrar.HostPort}";
        app.Station.Dial(peer, "test");
        var first = await _registrar.WaitForAsync(r => r.Method == SipMethods.Invite, "first INVITE");
        await _registrar.WaitForAsync(r => r.Method == SipMethods.Ack, "ACK of the first call");
        Assert.Equal("door", first.From!.Uri.User);
        Assert.StartsWith("m=audio", AudioLine(first), StringComparison.Ordinal);
        Assert.EndsWith("RTP/AVP 0 8 101", AudioLine(first), StringComparison.Ordinal);

        var next = Config(Account("pbx", "door2"));
        next.Name = "Back door";
        next.Media.Codecs = ["pcma"];
        Assert.Equal(["name", "accounts", "media"], await app.ReconfigureCallsAsync(next));

        // The call that is up: still one leg, and its BYE is an in-dialog request of the first INVITE's dialog (§15.1.1).
        Assert.Equal(1, app.Calls.ActiveLegs);
        app.Station.HangUp("test");
        var bye = await _registrar.WaitForAsync(r => r.Method == SipMethods.Bye, "BYE of the first call");
        Assert.Equal(first.CallId, bye.CallId);
        Assert.Equal("door", bye.From!.Uri.User);
        Assert.Equal(first.From.Tag, bye.From.Tag);

        await WaitForAsync(() => app.Calls.ActiveLegs == 0 && app.Station.GetStatus().CallState == Intercom.Station.StationCallState.Idle, "first call ended");
        app.Station.Dial(peer, "test");
        var second = await _registrar.WaitForAsync(r => r.Method == SipMethods.Invite && r.CallId != first.CallId, "second INVITE");
        Assert.Equal("door2", second.From!.Uri.User);
        Assert.Equal("Back door", second.From.DisplayName);
        Assert.EndsWith("RTP/AVP 8 101", AudioLine(second), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changed_audio_reopens_the_devices_only_after_the_call_in_progress()
    {
        using var app = Start(Account("pbx", "door"));
        app.Station.Dial($"sip:peer@{_registrar.HostPort}", "test");
        await _registrar.WaitForAsync(r => r.Method == SipMethods.Ack, "ACK of the call");
        await WaitForAsync(() => app.Audio.Current is not null, "the call has the microphone and speaker");
        var engine = app.Audio.Engine;
        var stream = app.Audio.Current;

        var next = Config(Account("pbx", "door"));
        next.Audio.SampleRate = 8000;
        Assert.Equal(["audio"], await app.ReconfigureCallsAsync(next));

        Assert.True(app.Audio.ReopenPending);
        Assert.Same(engine, app.Audio.Engine);
        Assert.Same(stream, app.Audio.Current);
        app.Station.HangUp("test");
        await WaitForAsync(() => !app.Audio.ReopenPending, "devices reopened after the call");
        Assert.NotSame(engine, app.Audio.Engine);
        Assert.Equal(8000, app.Audio.SampleRate);
    }

    private StationApp Start(params SipAccountConfig[] accounts) =>
        StationApp.Start(Config(accounts), simulate: true, NullLoggerFactory.Instance);

    private IntercomConfig Config(params SipAccountConfig[] accounts)
    {
        var config = new IntercomConfig { Name = "Live door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts = [.. accounts];
        config.Media.Codecs = ["pcmu"];
        config.Audio.Driver = "null";
        config.Station.RingGroups[0].Targets = [$"sip:resident@{_registrar.HostPort}"];
        config.Station.EventLog.PersistPath = null;
        Assert.Empty(ConfigValidator.Validate(config));
        return config;
    }

    private SipAccountConfig Account(string id, string user) => new()
    {
        Id = id, Aor = $"sip:{user}@{_registrar.HostPort}", Password = "secret", ExpiresSeconds = 600, Keepalive = "off",
    };

    private static bool IsRegister(SipRequest request, string user, uint expires) =>
        request.Method == SipMethods.Register && request.To?.Uri.User == user && request.Expires == expires;

    private static string AudioLine(SipRequest invite) =>
        Encoding.ASCII.GetString(invite.Body.Span).Split("\r\n").Single(l => l.StartsWith("m=audio", StringComparison.Ordinal));

    /// <summary>Waits for the account's current client to be registered under <paramref name="user"/>.</summary>
    private static Task RegisteredAsync(StationApp app, string accountId, string user) => WaitForAsync(
        () => app.Accounts.Current.FirstOrDefault(r => r.AccountId == accountId) is { } r
            && r.Client.Options.AddressOfRecord.User == user && r.Client.Status.State == RegistrationState.Registered,
        $"{accountId} registered as {user}", app);

    private static async Task WaitForAsync(Func<bool> condition, string what, StationApp? app = null)
    {
        // Woken by every registration change (and at most every poll interval for the rest); bounded by Wait.
        // Not disposed: a status change raised on the SIP loop as the handler is removed may still release it.
        var changed = new SemaphoreSlim(0);
        void OnChange(AccountRegistration registration, RegistrationStatus status) => changed.Release();
        if (app is not null)
        {
            app.Accounts.StatusChanged += OnChange;
        }

        try
        {
            await Eventually.UntilAsync(condition, what, Wait, wake: changed);
        }
        finally
        {
            if (app is not null)
            {
                app.Accounts.StatusChanged -= OnChange;
            }
        }
    }
}
