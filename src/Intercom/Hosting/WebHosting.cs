using System.Text.Json;
using System.Text.Json.Nodes;
using Intercom.Configuration;
using Intercom.Phone;
using Intercom.Station.Logging;
using Intercom.Web;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>Starts the web page and API over a running station (when the configuration's "web" section enables it).</summary>
public static partial class WebHosting
{
    /// <summary>
    /// Starts the web server, or returns null when it is disabled or cannot start (the port is taken, the certificate is
    /// unreadable): a door station keeps opening doors without its web page, and says why in the log.
    /// </summary>
    /// <param name="app">The running station.</param>
    /// <param name="store">Where its configuration is saved.</param>
    /// <param name="logs">The app's logging.</param>
    /// <param name="time">Clock for sessions and login throttling.</param>
    /// <param name="reconfigureIntegrations">Applies changed integration sections live and names them (StationIntegrations.ReconfigureAsync).</param>
    public static async Task<WebServer?> StartAsync(StationApp app, ConfigStore store, ILoggerFactory logs, TimeProvider? time = null,
        Func<IntercomConfig, Task<IReadOnlyList<string>>>? reconfigureIntegrations = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(logs);
        if (!app.Config.Web.Enabled)
        {
            return null;
        }

        try
        {
            return await WebServer.StartAsync(new StationControl(app, store, reconfigureIntegrations), new WebServerOptions
            {
                StateDirectory = Path.GetDirectoryName(store.Path)!,
                Logs = logs,
                Time = time ?? TimeProvider.System,
            }).ConfigureAwait(false);
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
    /// The web layer's view of the running station. A new configuration is validated, saved atomically and then applied:
    /// the door-station rules at once (DoorStation.Reconfigure: the call in progress keeps going); the name, accounts,
    /// media and audio live without touching a call in progress (StationApp.ReconfigureCallsAsync: accounts re-register,
    /// the next call uses the new account and media, the devices reopen between calls); MQTT and webhooks through the hook
    /// the app passes in. What was wired at start (the SIP listeners, timers, TLS identity, rate limits and product name,
    /// board pins and relays, the event log file, the web server) takes effect at the next start, which the status
    /// reports until then.
    /// </summary>
    private sealed class StationControl : IStationControl
    {
        // Parts of "station" read once at start: the board's GPIO lines and the event log's file and size.
        private static readonly string[] StationWiring = ["board", "relays", "eventLog"];

        // Sections applied live whenever they change.
        private static readonly HashSet<string> LiveSections = new(["station", .. Intercom.Phone.Phone.LiveSections], StringComparer.Ordinal);

        private readonly StationApp _app;
        private readonly ConfigStore _store;
        private readonly Lock _gate = new();
        private readonly SemaphoreSlim _applying = new(1, 1);

        // Sections the integrations once applied live: from then on they follow the saved file, not the start.
        private readonly HashSet<string> _liveIntegrations = new(StringComparer.Ordinal);
        private readonly Func<IntercomConfig, Task<IReadOnlyList<string>>>? _reconfigureIntegrations;
        private IntercomConfig _config;
        private IReadOnlyList<string> _restartRequired = [];

        public StationControl(StationApp app, ConfigStore store, Func<IntercomConfig, Task<IReadOnlyList<string>>>? reconfigureIntegrations)
        {
            _app = app;
            _store = store;
            _reconfigureIntegrations = reconfigureIntegrations;
            _config = app.Config;
            _app.Station.Events.Appended += (sender, e) => EventAppended?.Invoke(this, e);
        }

        public event EventHandler<StationEvent>? EventAppended;

        public IntercomConfig Config
        {
            get { lock (_gate) { return _config; } }
        }

        public bool IsSimulated => _app.SimulatedBoard is not null;

        public StationView GetStatus()
        {
            IntercomConfig config;
            IReadOnlyList<string> restart;
            lock (_gate)
            {
                (config, restart) = (_config, _restartRequired);
            }

            var station = _app.Station.GetStatus();
            // Accounts apply live: the saved configuration's accounts are the running ones.
            var accounts = new List<AccountView>();
            var registrations = _app.Accounts.Current;
            foreach (var account in config.Accounts)
            {
                if (registrations.FirstOrDefault(r => r.AccountId == account.Id) is { } registration)
                {
                    var status = registration.Client.Status;
                    accounts.Add(new AccountView(account.Id, registration.AddressOfRecord, status.State.ToString(), status.Reason));
                }
                else
                {
                    accounts.Add(new AccountView(account.Id, account.Aor, "NotRegistering", "direct IP calls only"));
                }
            }

            var relays = _app.Board.RelayIds.Select(id => new RelayView(id, _app.Board.IsRelayEnergised(id))).ToList();
            return new StationView(
                config.Name,
                station.CallState,
                accounts,
                relays,
                new InputsView(station.DoorOpen, station.TamperActive, station.CodeEntryLockedOut),
                config.Station.Buttons.Select(b => b.Id).ToList(),
                IsSimulated,
                restart,
                SetupStatus.Missing(config));
        }

        public IReadOnlyList<StationEvent> GetEvents() => _app.Station.Events.Snapshot();

        public bool OpenRelay(string relayId, string requestedBy)
        {
            if (!_app.Board.RelayIds.Contains(relayId, StringComparer.Ordinal))
            {
                return false;
            }

            _app.Station.OpenRelay(relayId, requestedBy);
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
            // One change at a time, end to end: save, apply, record.
            await _applying.WaitAsync().ConfigureAwait(false);
            try
            {
                try
                {
                    if (!_store.TrySave(config, out var errors))
                    {
                        return ConfigChangeResult.Refused(errors);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return ConfigChangeResult.Refused([new("$", $"cannot save {_store.Path}: {e.Message}")]);
                }

                var previous = Sections(Config);
                var next = Sections(config);
                var running = Sections(_app.Config);
                var applied = new List<string>();
                if (!JsonNode.DeepEquals(previous["station"], next["station"]))
                {
                    _app.Station.Reconfigure(config.Station);
                    applied.Add("station");
                }

                // Name, accounts, media, audio and digest authentication of callers: registrations follow, the next call uses them, the call in progress keeps its own.
                applied.AddRange(await _app.ReconfigureCallsAsync(config).ConfigureAwait(false));

                // Sections the integrations apply themselves (a changed MQTT broker reconnects); none when they are not running.
                var live = _reconfigureIntegrations is null ? [] : await _reconfigureIntegrations(config).ConfigureAwait(false);
                applied.AddRange(live);
                _liveIntegrations.UnionWith(live);
                var restart = new List<string>();
                foreach (var (name, value) in next)
                {
                    if (!LiveSections.Contains(name) && !_liveIntegrations.Contains(name)
                        && !JsonNode.DeepEquals(value, running.TryGetPropertyValue(name, out var was) ? was : null))
                    {
                        restart.Add(name);
                    }
                }

                lock (_gate)
                {
                    _config = config;
                    _restartRequired = restart;
                }

                return new ConfigChangeResult([], applied, restart);
            }
            finally
            {
                _applying.Release();
            }
        }

        // The configuration as named sections; the station's start-time wiring is split off its live rules, and "sip" into
        // its parts so that the restart list names what changed ("sip.listen").
        private static JsonObject Sections(IntercomConfig config)
        {
            var root = JsonSerializer.SerializeToNode(config, ConfigJsonContext.Default.IntercomConfig)!.AsObject();
            if (root["sip"] is JsonObject sip)
            {
                root.Remove("sip");
                foreach (var name in sip.Select(p => p.Key).ToList())
                {
                    sip.Remove(name, out var value);
                    root["sip." + name] = value;
                }
            }

            if (root["station"] is JsonObject station)
            {
                foreach (var part in StationWiring)
                {
                    if (station.Remove(part, out var value))
                    {
                        root["station." + part] = value;
                    }
                }
            }

            return root;
        }
    }
}
