using Intercom.Phone;
using Intercom.Configuration;
using Intercom.Hardware;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station;
using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging;

namespace Intercom.Hosting;

/// <summary>
/// The composition root: the configuration turned into a running station — the phone (SIP stack, accounts, calls, media
/// and audio: <see cref="SipPhone"/>), the board (GPIO or simulated) and the door-station rules on top. Used by
/// `intercom run`, the demo and end-to-end tests alike.
/// </summary>
internal sealed class StationApp : IDisposable
{
    private readonly bool _simulate;
    private readonly TimeProvider _time;
    private readonly string? _instanceId;
    private bool _disposed;

    private StationApp(IntercomConfig config, SipPhone phone, IBoard board, DoorStation station, bool simulate, TimeProvider time, string? instanceId)
    {
        _instanceId = instanceId;
        Config = config;
        Phone = phone;
        Board = board;
        Station = station;
        _simulate = simulate;
        _time = time;
    }

    /// <summary>The configuration the station started with (sections applied live since: <see cref="ReconfigureCallsAsync"/>).</summary>
    public IntercomConfig Config { get; }

    /// <summary>Accounts, registrations, calls, media and audio.</summary>
    public SipPhone Phone { get; }

    public SipStack Sip => Phone.Sip;

    public IBoard Board { get; }

    /// <summary>The simulated board when running with --simulate (buttons pressable from tests and the API).</summary>
    public SimulatedBoard? SimulatedBoard => Board as SimulatedBoard;

    public SipCallControl Calls => Phone.Calls;

    /// <summary>The microphone and speaker the calls use, and the station's tones.</summary>
    public CallAudio Audio => Phone.Audio;

    public DoorStation Station { get; }

    /// <summary>The registering accounts and their registration clients, kept in step with live configuration changes.</summary>
    public AccountRegistrations Accounts => Phone.Accounts;

    /// <summary>One per account that registers now, in configuration order.</summary>
    public IReadOnlyList<RegistrationClient> Registrations => Phone.Registrations;

    /// <param name="config">The validated configuration.</param>
    /// <param name="simulate">--simulate.</param>
    /// <param name="logs">Where to log.</param>
    /// <param name="time">The clock; the system's by default.</param>
    /// <param name="stateDirectory">
    /// Where the station keeps its own state (beside the configuration): its SIP instance id (<see cref="SipInstanceId"/>).
    /// Null: the id is derived from the machine id.
    /// </param>
    public static StationApp Start(IntercomConfig config, bool simulate, ILoggerFactory logs, TimeProvider? time = null, string? stateDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(logs);
        time ??= TimeProvider.System;
        var log = logs.CreateLogger("intercom");

        // The relays are released first: whatever a previous process left energised is switched off (fail closed).
        var layout = BoardLayoutBuilder.Build(config.Station);
        IBoard board = simulate ? new SimulatedBoard(layout, time) : GpioBoard.Open(layout, time, config.Station.Board.GpioChip);
        board.ReleaseAll();
        log.LogInformation("relays released at start: {Relays}", string.Join(", ", layout.Relays.Select(r => r.Id)));

        var instanceId = SipInstanceId.Load(stateDirectory, log);
        SipPhone? phone = null;
        try
        {
            // The phone sends its first REGISTER before it opens the sound devices, and before the door-station logic is
            // built (StartupOrder.cs): none of them is needed to register, and they take longer than the registrar's answer.
            phone = SipPhone.Start(PhoneConfiguration.Stack(config), PhoneConfiguration.Listeners(config),
                PhoneConfiguration.Options(config, simulate, time, instanceId), time, logs);
            var station = new DoorStation(config.Station, board, phone.Calls, time, logs.CreateLogger("station"));
            station.Start();
            StartupOrder.ReportRegistrations(phone, station);
            return new StationApp(config, phone, board, station, simulate, time, instanceId);
        }
        catch
        {
            phone?.Dispose();
            board.ReleaseAll();
            board.Dispose();
            throw;
        }
    }

    /// <summary>The port a listener got (useful with port 0).</summary>
    public int SipPort(SipTransportProtocol protocol) => Phone.SipPort(protocol);

    /// <summary>Unregisters every account (RFC 3261 §10.2.2, Expires: 0), waiting at most <paramref name="timeout"/>.</summary>
    public Task UnregisterAsync(TimeSpan timeout) => Phone.UnregisterAsync(timeout);

    /// <summary>
    /// Applies changed "name", "accounts", "media" and "audio" sections of a validated configuration live (and the
    /// registration back-off, incoming authentication and incoming sources), without touching a call in progress, and
    /// names the sections applied (<see cref="SipPhone.ApplyAsync"/>).
    /// </summary>
    public Task<IReadOnlyList<string>> ReconfigureCallsAsync(IntercomConfig config) =>
        Phone.ApplyAsync(PhoneConfiguration.Options(config, _simulate, _time, _instanceId));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Phone.Accounts.Dispose();

        // Order matters: no new calls, end the calls, then the relays go to their released level whatever happened.
        Station.Dispose();
        Phone.Dispose();
        Board.ReleaseAll();
        Board.Dispose();
    }
}
