using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Phone;

/// <summary>
/// The registrations of the station's registering accounts (RFC 3261 §10), one <see cref="RegistrationClient"/> each,
/// kept in step with the configuration while the station runs: an added or enabled account registers; a removed or
/// disabled one removes its binding (REGISTER with Expires: 0, §10.2.2); a changed one is replaced by a client with the
/// new settings. The SIP loop owns the clients and makes every change; other threads read an immutable snapshot.
/// </summary>
public sealed class AccountRegistrations : IDisposable
{
    private readonly SipStack _sip;

    // Loop only: clients stopped by a change, until their un-REGISTER is answered (disposed on shutdown otherwise).
    private readonly HashSet<RegistrationClient> _retiring = [];
    private AccountRegistration[] _current;
    private Dictionary<string, Settings> _settings;
    private bool _disposed;

    private AccountRegistrations(SipStack sip)
    {
        _sip = sip;
        _current = [];
        _settings = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// An account's registration status changed, raised on the SIP loop. Only the clients in <see cref="Current"/> report,
    /// and a removed or disabled account's client until it has stopped; a replaced client is silent.
    /// </summary>
    public event Action<AccountRegistration, RegistrationStatus>? StatusChanged;

    /// <summary>The registrations now, one per registering account in configuration order; readable from any thread.</summary>
    public IReadOnlyList<AccountRegistration> Current => Volatile.Read(ref _current);

    /// <summary>True when at least one account in <see cref="Current"/> is registered (the station's "registered" LED).</summary>
    public bool AnyRegistered => Array.Exists(Volatile.Read(ref _current), r => r.Client.Status.State == RegistrationState.Registered);

    /// <summary>Creates one client per registering account of <paramref name="config"/>; nothing is sent before <see cref="Start"/>.</summary>
    public static AccountRegistrations Create(PhoneOptions config, SipStack sip)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sip);
        var registrations = new AccountRegistrations(sip);
        (registrations._current, registrations._settings, _) = registrations.Plan(config, [], new(StringComparer.Ordinal));
        return registrations;
    }

    /// <summary>Starts registering every account (at station start, once <see cref="StatusChanged"/> has its handlers).</summary>
    public void Start()
    {
        foreach (var registration in Current)
        {
            registration.Client.Start();
        }
    }

    /// <summary>
    /// Brings the registrations in line with <paramref name="config"/> on the SIP loop; an unchanged account keeps its
    /// client and binding. The task completes once the change is made (REGISTERs sent, not answered) and says whether
    /// any registration changed.
    /// </summary>
    public Task<bool> ApplyAsync(PhoneOptions config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return _sip.InvokeAsync(() => ApplyOnLoop(config));
    }

    /// <summary>Removes every binding (RFC 3261 §10.2.2, Expires: 0); completes when each un-REGISTER was answered or failed.</summary>
    public Task StopAsync() => Task.WhenAll(Current.Select(r => r.Client.StopAsync()));

    /// <summary>Stops every client's timers without unregistering (<see cref="StopAsync"/> first for a clean stop).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var registration in Current)
        {
            registration.Client.Dispose();
        }

        _sip.Loop.Post(static s =>
        {
            var self = (AccountRegistrations)s!;
            foreach (var client in self._retiring)
            {
                client.Dispose();
            }

            self._retiring.Clear();
        }, this);
    }

    /// <summary>Tells every client an RFC 5626 pong arrived on a TCP/TLS flow (§4.4.1: the one pinging it keeps it).</summary>
    internal void OnKeepAlivePong(Sip.Transport.SipDestination destination)
    {
        foreach (var registration in Current)
        {
            registration.Client.OnKeepAlivePong(destination);
        }
    }

    /// <summary>
    /// The instance id when <paramref name="destination"/> is the flow of an account registered with outbound in use
    /// (RFC 5626 §4.3: the Contact of calls over it carries ;ob), else null. On the SIP loop.
    /// </summary>
    internal string? OutboundInstance(Sip.Transport.SipDestination destination)
    {
        foreach (var registration in Current)
        {
            if (registration.Client.Status is { Outbound: true, Registrar: { } flow }
                && flow.Protocol == destination.Protocol && flow.EndPoint.Equals(destination.EndPoint))
            {
                return registration.Client.Options.InstanceId;
            }
        }

        return null;
    }

    /// <summary>Tells every client a TCP/TLS flow closed (RFC 5626 §4.4.1: the one that used it registers again at once).</summary>
    internal void OnFlowClosed(Sip.Transport.SipDestination destination)
    {
        foreach (var registration in Current)
        {
            registration.Client.OnFlowClosed(destination);
        }
    }

    private bool ApplyOnLoop(PhoneOptions config)
    {
        if (_disposed)
        {
            return false;
        }

        var old = _current;
        var (current, settings, kept) = Plan(config, old, _settings);
        var changed = kept != old.Length || kept != current.Length;
        var replacedIds = new HashSet<string>(current.Select(r => r.AccountId), StringComparer.Ordinal);
        foreach (var registration in old)
        {
            if (Array.IndexOf(current, registration) >= 0)
            {
                continue;
            }

            var client = registration.Client;
            if (replacedIds.Contains(registration.AccountId)
                && settings.TryGetValue(registration.AccountId, out var next) && _settings[registration.AccountId].SameBinding(next))
            {
                // Same address-of-record, registrar and transport: the new client's REGISTER (another Call-ID) updates the
                // binding (§10.3 step 7); an Expires: 0 from the old one could arrive after it and remove it.
                client.Dispose();
                continue;
            }

            // Removed, disabled, or bound elsewhere now: its binding goes (§10.2.2) while the new one registers.
            _retiring.Add(client);
            _ = client.StopAsync().ContinueWith(static (_, s) =>
            {
                var (self, c) = ((AccountRegistrations, RegistrationClient))s!;
                self._sip.Loop.Post(static s2 =>
                {
                    var (self2, c2) = ((AccountRegistrations, RegistrationClient))s2!;
                    if (self2._retiring.Remove(c2))
                    {
                        c2.Dispose();
                    }
                }, (self, c));
            }, (this, client), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        Volatile.Write(ref _current, current);
        _settings = settings;
        foreach (var registration in current)
        {
            if (Array.IndexOf(old, registration) < 0)
            {
                registration.Client.Start();
            }
        }

        return changed;
    }

    /// <summary>The registrations <paramref name="config"/> asks for, reusing those of <paramref name="old"/> whose settings are unchanged.</summary>
    private (AccountRegistration[] Current, Dictionary<string, Settings> Settings, int Kept) Plan(
        PhoneOptions config, AccountRegistration[] old, Dictionary<string, Settings> oldSettings)
    {
        var current = new List<AccountRegistration>();
        var settings = new Dictionary<string, Settings>(StringComparer.Ordinal);
        var kept = 0;
        foreach (var account in config.Accounts)
        {
            if (!account.Register)
            {
                continue;
            }

            var wanted = Settings.Of(account, config);
            settings[account.Id] = wanted;
            var reuse = Array.Find(old, r => r.AccountId == account.Id);
            if (reuse is not null && oldSettings.TryGetValue(account.Id, out var had) && had == wanted)
            {
                current.Add(reuse);
                kept++;
                continue;
            }

            var options = CallAccounts.RegistrationOptions(account, config, _sip.Agent.Options);
            var client = new RegistrationClient(_sip.Transactions, _sip.Locator, options, new TransportKeepAliveSender(_sip.Transport));
            var registration = new AccountRegistration(account.Id, account.AddressOfRecord, client)
            {
                Transport = options.Transport ?? SipTransportProtocol.Udp,
                RegistrarBehindProxy = options.OutboundProxy is null ? null
                    : options.Registrar ?? new SipUri(options.AddressOfRecord.Scheme, null, options.AddressOfRecord.Host, options.AddressOfRecord.Port),
            };
            client.StatusChanged += (_, status) => OnStatus(registration, status);
            LocateRegistrar(registration);
            current.Add(registration);
        }

        return ([.. current], settings, kept);
    }

    /// <summary>
    /// True when <paramref name="flow"/> comes from a server of an account that registers now (its registrar or outbound
    /// proxy: <see cref="AccountRegistration.IsFrom"/>). The station lets in calls from there without asking more: the
    /// PBX authenticated its callers. Any thread.
    /// </summary>
    public bool IsFromServer(Sip.Transport.SipFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        foreach (var registration in Current)
        {
            if (registration.IsFrom(flow))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Looks up the addresses of a registrar that sits behind an outbound proxy (the client looks up only the proxy): a
    /// PBX may send its calls from the registrar itself. Again at every successful registration (DNS answers change).
    /// </summary>
    private void LocateRegistrar(AccountRegistration registration)
    {
        if (registration.RegistrarBehindProxy is not { } registrar || _disposed)
        {
            return;
        }

        Task<IReadOnlyList<Sip.Transport.SipDestination>> lookup;
        try
        {
            lookup = _sip.Locator.LocateAsync(registrar);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return;
        }

        _ = lookup.ContinueWith(static (task, state) =>
        {
            if (task.IsCompletedSuccessfully && task.Result.Count > 0)
            {
                ((AccountRegistration)state!).RegistrarAddresses.Replace(task.Result.Select(d => d.EndPoint.Address));
            }
        }, registration, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // On the loop. A client replaced by a changed account's new one is silent: its "stopped" would hide the new status.
    private void OnStatus(AccountRegistration registration, RegistrationStatus status)
    {
        if (status.State == RegistrationState.Registered && registration.RegistrarBehindProxy is not null)
        {
            LocateRegistrar(registration);
        }

        var current = Volatile.Read(ref _current);
        if (Array.IndexOf(current, registration) >= 0 || !Array.Exists(current, r => r.AccountId == registration.AccountId))
        {
            StatusChanged?.Invoke(registration, status);
        }
    }

    /// <summary>What a registration depends on: a change of any of it is a new client.</summary>
    private sealed record Settings(AccountOptions Account, TimeSpan RetryBaseDelay, TimeSpan RetryMaximumDelay, string? InstanceId, int RegId)
    {
        // The SRTP policy is the calls' business, not the binding's: a change of it registers nothing again.
        public static Settings Of(AccountOptions account, PhoneOptions options) =>
            new(account with { Srtp = default, DisplayName = account.DisplayName ?? options.Name }, options.RegistrationRetryBaseDelay, options.RegistrationRetryMaximumDelay,
                CallAccounts.OutboundInstance(account, options), CallAccounts.RegId(account, options));

        /// <summary>The same binding at the same server: address-of-record, registrar, proxy and transport (hence Contact).</summary>
        public bool SameBinding(Settings other) => Account.AddressOfRecord == other.Account.AddressOfRecord && Account.Registrar == other.Account.Registrar
            && Account.OutboundProxy == other.Account.OutboundProxy && Account.Transport == other.Account.Transport;
    }
}
