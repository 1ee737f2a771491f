using System.Net;
using Intercom.Configuration;
using Intercom.Configuration.Applying;
using Intercom.Phone;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Registrar;
using Intercom.Station.Logging;
using Intercom.Web;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>Starts the web page and API over a running station (when the configuration's "web" section enables it).</summary>
internal static partial class WebHosting
{
    /// <summary>
    /// Starts the web server, or returns null when it is disabled or cannot start (the port is taken, the certificate is
    /// unreadable): a door station keeps opening doors without its web page, and says why in the log.
    /// </summary>
    /// <param name="app">The running station.</param>
    /// <param name="store">Where its configuration is saved.</param>
    /// <param name="logs">The app's logging.</param>
    /// <param name="time">Clock for sessions and login throttling.</param>
    /// <param name="configuration">How a change is saved and applied (the same pipeline a SIGHUP reload uses); by default the station's rules and calls only.</param>
    /// <param name="firmware">Installs uploaded releases (null: the station refuses updates, as in-process test hosts do).</param>
    public static async Task<WebServer?> StartAsync(StationApp app, ConfigStore store, ILoggerFactory logs, TimeProvider? time = null,
        ConfigPipeline? configuration = null, Update.FirmwareUpdater? firmware = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(store);
        configuration ??= LiveConfiguration.For(app, store);
        ArgumentNullException.ThrowIfNull(logs);
        if (!app.Config.Web.Enabled)
        {
            return null;
        }

        try
        {
            var web = app.Config.Web;
            var server = await WebServer.StartAsync(new StationControl(app, configuration, firmware), new WebServerOptions
            {
                StateDirectory = Path.GetDirectoryName(store.Path)!,
                Logs = logs,
                Time = time ?? TimeProvider.System,
                SipWebSocket = web.SipWebSocket ? (webSocket, secure, remote, local, webUser) => app.Sip.Transport.AcceptWebSocketAsync(
                    webSocket, secure ? SipTransportProtocol.Wss : SipTransportProtocol.Ws, remote, local, webUser) : null,
            }).ConfigureAwait(false);
            if (web.SipWebSocket && (web.Https || web.SipWebSocketPlain))
            {
                // RFC 7118 §5: Via and Contact over the WebSocket name the web server's port.
                var protocol = web.Https ? SipTransportProtocol.Wss : SipTransportProtocol.Ws;
                var bound = new IPEndPoint(IPAddress.Parse(web.Address), server.Address.Port);
                await app.Sip.InvokeAsync(() =>
                {
                    app.Sip.Transport.AddWebSocketListener(protocol, bound);

                    // Browser phones register over the WebSocket (RFC 7118 §5) so ring groups can ring "web" targets.
                    return app.Sip.Agent.BrowserPhones ??= new BrowserPhoneLocations(app.Sip.Loop.TimeProvider);
                }).ConfigureAwait(false);
            }

            return server;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
        {
            LogWebFailed(logs.CreateLogger("web"), e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "web: cannot start the page and API: {Reason}; the station runs without them")]
    private static partial void LogWebFailed(ILogger logger, string reason);

    /// <summary>
    /// The web layer's view of the running station. A new configuration goes through the station's one pipeline
    /// (<see cref="ConfigPipeline"/>: validated, saved atomically, applied by each part: <see cref="StationRulesPart"/>,
    /// <see cref="CallsPart"/>, <see cref="IntegrationsPart"/>); what was wired at start (the SIP listeners, timers, TLS
    /// identity, rate limits, board pins and relays, the event log file, the web server) takes effect at the next start,
    /// which the status reports until then.
    /// </summary>
    private sealed class StationControl : IStationControl
    {
        private readonly StationApp _app;
        private readonly ConfigPipeline _configuration;
        private readonly Update.FirmwareUpdater? _firmware;

        public StationControl(StationApp app, ConfigPipeline configuration, Update.FirmwareUpdater? firmware)
        {
            _app = app;
            _configuration = configuration;
            _firmware = firmware;
            _app.Station.Events.Appended += (sender, e) => EventAppended?.Invoke(this, e);
        }

        public event EventHandler<StationEvent>? EventAppended;

        public IntercomConfig Config => _configuration.Current;

        public bool IsSimulated => _app.SimulatedBoard is not null;

        public StationView GetStatus()
        {
            var config = _configuration.Current;
            var restart = _configuration.RestartRequired;

            var station = _app.Station.GetStatus();
            // Accounts apply live: the saved configuration's accounts are the running ones.
            var accounts = new List<AccountView>();
            var registrations = _app.Accounts.Current;
            foreach (var account in config.Accounts)
            {
                if (registrations.FirstOrDefault(r => r.AccountId == account.Id) is { } registration)
                {
                    var status = registration.Client.Status;
                    var contact = status.State == Sip.UserAgent.Registration.RegistrationState.Registered && status.Contact is { } c
                        ? (c.Port is int p ? $"{c.Host}:{p}" : c.Host) : null;
                    accounts.Add(new AccountView(account.Id, registration.AddressOfRecord, status.State.ToString(), status.Reason, contact, MediaPublicAddress(account.Id), status.Outbound,
                        IceSelectedPair(account.Id)));
                }
                else
                {
                    accounts.Add(new AccountView(account.Id, account.Aor, "NotRegistering", "direct IP calls only", null, MediaPublicAddress(account.Id),
                        IceSelectedPair: IceSelectedPair(account.Id)));
                }
            }

            var holds = station.HeldRelays ?? [];
            var relays = _app.Board.RelayIds.Select(id => holds.FirstOrDefault(h => h.RelayId == id) is { } hold
                ? new RelayView(id, _app.Board.IsRelayEnergised(id), _app.Station.CanHoldRelay(id), Held: true, hold.By, hold.Until)
                : new RelayView(id, _app.Board.IsRelayEnergised(id), _app.Station.CanHoldRelay(id))).ToList();
            return new StationView(
                config.Name,
                station.CallState,
                accounts,
                relays,
                new InputsView(station.DoorOpen, station.TamperActive, station.CodeEntryLockedOut, station.DoorHeldOpen, station.DoorForcedOpen,
                    station.KeypadLockedOut),
                config.Station.Buttons.Select(b => b.Id).ToList(),
                IsSimulated,
                restart,
                SetupStatus.Missing(config),
                new FirmwareView(IntercomCli.Version, _firmware?.Store.Current, _firmware?.Store.OnTrial ?? false, _firmware?.Store.RolledBack));
        }

        public FirmwareUpdateResult UpdateFirmware(ReadOnlyMemory<byte> archive, ReadOnlySpan<byte> signature, string requestedBy) =>
            _firmware is { } updater ? updater.Apply(archive, signature, requestedBy) : FirmwareUpdateResult.Refused("this station does not install updates");

        public IReadOnlyList<StationEvent> GetEvents() => _app.Station.Events.Snapshot();

        /// <summary>The RTP mapping the account's last call learned by STUN (accounts[].nat.stun), as address:port.</summary>
        private string? MediaPublicAddress(string accountId) =>
            _app.Calls.Accounts.FirstOrDefault(a => a.Id == accountId)?.Stun?.LastMapped?.ToString();

        /// <summary>The pair ICE selected for the account's last call (accounts[].nat.ice), or null.</summary>
        private string? IceSelectedPair(string accountId) =>
            _app.Calls.Accounts.FirstOrDefault(a => a.Id == accountId)?.Stun?.LastSelectedPair;

        public bool OpenRelay(string relayId, string requestedBy)
        {
            if (!_app.Board.RelayIds.Contains(relayId, StringComparer.Ordinal))
            {
                return false;
            }

            _app.Station.OpenRelay(relayId, requestedBy);
            return true;
        }

        public Task<bool> OpenDoorFromPage(string user) => _app.Station.OpenDoorFromPage(user);

        public RelayHoldResult HoldRelay(string relayId, string requestedBy, TimeSpan? duration)
        {
            if (!_app.Board.RelayIds.Contains(relayId, StringComparer.Ordinal))
            {
                return RelayHoldResult.UnknownRelay;
            }

            if (!_app.Station.CanHoldRelay(relayId))
            {
                return RelayHoldResult.PulseOnly;
            }

            _app.Station.HoldRelay(relayId, requestedBy, duration);
            return RelayHoldResult.Holding;
        }

        public bool ReleaseRelay(string relayId, string requestedBy)
        {
            if (!_app.Board.RelayIds.Contains(relayId, StringComparer.Ordinal))
            {
                return false;
            }

            _app.Station.ReleaseRelay(relayId, requestedBy);
            return true;
        }

        public void Dial(string target, string requestedBy) => _app.Station.Dial(target, requestedBy);

        public void Dial(string target, string requestedBy, string? account) => _app.Station.Dial(target, requestedBy, account);

        public void HangUp(string requestedBy) => _app.Station.HangUp(requestedBy);

        public bool PressButton(string buttonId)
        {
            if (_app.SimulatedBoard is not { } board || !Config.Station.Buttons.Exists(b => b.Id == buttonId))
            {
                return false;
            }

            board.PressButton(buttonId);
            return true;
        }

        public async Task<ConfigChangeResult> ApplyConfigAsync(IntercomConfig config)
        {
            var result = await _configuration.ApplyAsync(config).ConfigureAwait(false);
            return new ConfigChangeResult(result.Errors, result.Applied, result.RestartRequired);
        }
    }
}
