using System.Net;
using Intercom.Phone;
using Intercom.Configuration;
using Intercom.Hardware;
using Intercom.Hosting;
using Intercom.Integrations;
using Intercom.Integrations.Mqtt;
using Intercom.Integrations.Webhooks;
using Intercom.Media.Sdp;
using Intercom.Sip.Core;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station;
using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Intercom.Web.Security;
using Microsoft.Extensions.Time.Testing;
using CallEndReason = Intercom.Station.Calls.CallEndReason;

namespace Intercom.Fuzz;

/// <summary>
/// What `intercom run` builds from a configuration the loader accepted (StationApp.Start, IntegrationsHosting,
/// WebHosting), through the app's own mapping code, without a socket, a thread or a file: the SIP stack's options and
/// layers on a caller-thread loop, each registering account's client, the call accounts and their SDP offer/answer, the
/// audio options, the board layout and the door station on a simulated board (started, then driven: <see cref="Drive"/>),
/// the shipped rules applied live over its wiring and its rules to a station that started on the shipped ones, the MQTT
/// client options and Home Assistant discovery, the webhook endpoints, and the web server's host filter and sessions.
/// Whatever of this throws, or logs an error, for an accepted file is a finding: check-config
/// promised that file would start.
/// </summary>
internal static class StationStartPath
{
    // A Thursday noon; Drive moves on to Saturday night.
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    // Numeric hosts never reach DNS, and nothing here sends or locates; a lookup would be a defect of the harness.
    private static readonly SipServerLocator NoDns = new(() => throw new InvalidOperationException("the config target does no DNS lookups"));

    public static StartPathReport Build(IntercomConfig config)
    {
        WithoutFiles(config);
        var time = new FakeTimeProvider(Start);
        var log = FailOnErrorLogger.Instance;

        // The SIP stack as StationApp.CreateSipStack builds it (the TLS files left out), minus the loop thread and sockets.
        var options = PhoneConfiguration.Stack(config, null, []);
        var phone = PhoneConfiguration.Options(config, simulate: true, time);
        using var loop = new SipLoop(time, SipLoopMode.CallerThread);
        loop.UnhandledException = e => throw new InvalidOperationException("SIP loop work failed", e);
        using var transport = new SipTransportLayer(loop, options.Transport, log);
        var transactions = new TransactionLayer(loop, transport, null, options.Timers);
        var agent = new SipUserAgent(transactions, options.Agent, NoDns, log)
        {
            IncomingAuthentication = phone.IncomingAuth?.Create(time),
            Admission = new SipAdmission().Create(phone.IncomingSources),
        };
        _ = PhoneConfiguration.Listeners(config);

        // Each registering account's client (AccountRegistrations.Plan), not started: starting sends.
        var registrations = new List<RegistrationClient>();
        try
        {
            foreach (var account in phone.Accounts)
            {
                if (account.Register)
                {
                    var registration = CallAccounts.RegistrationOptions(account, phone, agent.Options);
                    registrations.Add(new RegistrationClient(transactions, NoDns, registration, new TransportKeepAliveSender(transport)));
                }
            }

            var accounts = CallAccounts.CreateCallAccounts(phone, () => [], log);
            var offers = Negotiate(phone, accounts);
            var audio = phone.Audio;
            if (!audio.TryValidate(out var audioError))
            {
                throw new InvalidOperationException("the audio engine would refuse the audio section: " + audioError);
            }

            var (dialled, documents, endpoints) = RunStation(config, accounts, time);
            Web(config, time);
            return new StartPathReport(registrations.Count, offers, dialled, documents, endpoints);
        }
        finally
        {
            foreach (var client in registrations)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>
    /// A call's offer as each account's SRTP policy makes it (CallReconfiguration.MediaFactory), answered by a station with
    /// the same media section: one that cannot agree with itself could call nobody.
    /// </summary>
    private static int Negotiate(PhoneOptions phone, IReadOnlyList<CallAccount> accounts)
    {
        var media = phone.Media;
        foreach (var account in accounts)
        {
            var ours = media with { Srtp = account.Srtp };
            var caller = new SdpNegotiator(CallMediaSession.NegotiatorOptions(IPAddress.Loopback, media.RtpPortMin, ours));
            var callee = new SdpNegotiator(CallMediaSession.NegotiatorOptions(IPAddress.Loopback, media.RtpPortMin, ours));
            var offer = caller.CreateOffer();
            var answer = callee.CreateAnswer(offer);
            var applied = answer.Succeeded ? caller.ApplyAnswer(answer.Sdp!) : answer;
            if (!applied.Succeeded)
            {
                throw new InvalidOperationException($"a station with this media section cannot call itself ({applied.Error}):\n{offer}");
            }
        }

        return accounts.Count;
    }

    /// <summary>
    /// The door station on a simulated board with the shipped rules then applied live over its wiring; and a station that
    /// started on the shipped rules with this file's applied live.
    /// </summary>
    private static (int Dialled, int DiscoveryDocuments, int WebhookEndpoints) RunStation(IntercomConfig config, IReadOnlyList<CallAccount> accounts, FakeTimeProvider time)
    {
        var station = config.Station;
        int dialled, documents, endpoints;
        using (var board = new SimulatedBoard(BoardLayoutBuilder.Build(station), time))
        {
            board.ReleaseAll();
            var calls = new RecordingCallControl(accounts);
            using var door = new DoorStation(station, board, calls, time, FailOnErrorLogger.Instance);
            door.Start();
            (documents, endpoints) = Integrations(config, door, board, time);
            Drive(door, board, calls, station, time);
            dialled = calls.Dialled.Count;

            // And back: the shipped rules applied live over this file's wiring.
            var shipped = Shipped();
            door.Reconfigure(shipped);
            Drive(door, board, calls, shipped, time);
            board.ReleaseAll();
        }

        var rules = Shipped();
        using (var board = new SimulatedBoard(BoardLayoutBuilder.Build(rules), time))
        {
            var calls = new RecordingCallControl(accounts);
            using var door = new DoorStation(rules, board, calls, time, FailOnErrorLogger.Instance);
            door.Start();
            door.Reconfigure(station);
            Drive(door, board, calls, station, time);
            dialled += calls.Dialled.Count;
        }

        return (dialled, documents, endpoints);
    }

    /// <summary>
    /// The station driven through what its rules read: every button pressed (and pressed again while it rings), every
    /// configured code keyed as DTMF in the call it rings, every allowlisted caller (and a stranger) calling in, every
    /// keypad code and dial-map entry typed, the door contact, the tamper switch and the exit button; then the same buttons
    /// later in the week (schedules), and the clock run on (ring, call, relay and lockout timers).
    /// </summary>
    private static void Drive(DoorStation door, SimulatedBoard board, RecordingCallControl calls, StationConfig station, FakeTimeProvider time)
    {
        foreach (var button in station.Buttons)
        {
            var before = calls.Dialled.Count;
            board.PressButton(button.Id);
            if (calls.Dialled.Count > before)
            {
                var call = calls.Last;
                calls.Raise(CallEventArgs.Ringing(call));
                board.PressButton(button.Id);
                calls.Raise(CallEventArgs.Answered(calls.Last));
                KeyCodes(calls, calls.Last, station);
                time.Advance(TimeSpan.FromSeconds(5));
                calls.Raise(CallEventArgs.Ended(calls.Last, CallEndReason.RemoteHangUp));
            }

            door.HangUp("fuzz");
        }

        foreach (var caller in station.Incoming.Allowlist.Take(4).Select(e => e.Contains(':', StringComparison.Ordinal) ? e : $"sip:{e}@192.0.2.10")
            .Append("sip:stranger@198.51.100.1"))
        {
            var call = calls.NewHandle();
            calls.Raise(CallEventArgs.Incoming(call, caller, CallerOrigin.Registrar, IPAddress.Parse("192.0.2.10")));
            calls.Raise(CallEventArgs.Answered(call));
            KeyCodes(calls, call, station);
            calls.Raise(CallEventArgs.Ended(call, CallEndReason.RemoteHangUp));
        }

        var keypad = station.Keypad;
        foreach (var code in keypad.LocalCodes)
        {
            Type(board, code.Code);
        }

        foreach (var entry in keypad.DialMap)
        {
            Type(board, entry.Apartment + keypad.CallKey);
            door.HangUp("fuzz");
            Type(board, keypad.ClearKey);
        }

        board.SetDoorOpen(true);
        board.SetTamper(true);
        board.PressExitButton();
        time.Advance(TimeSpan.FromMinutes(10));
        board.SetDoorOpen(false);
        board.SetTamper(false);

        // Saturday night: schedules pick other ring groups.
        time.Advance(TimeSpan.FromHours(59));
        foreach (var button in station.Buttons)
        {
            board.PressButton(button.Id, InputGesture.LongPressed);
            door.HangUp("fuzz");
        }

        time.Advance(TimeSpan.FromHours(1));
        _ = door.GetStatus();
    }

    // The station rules of a file that sets none (the defaults the loader fills in), without a log file.
    private static StationConfig Shipped() => new() { EventLog = new() { PersistPath = null } };

    private static void KeyCodes(RecordingCallControl calls, CallHandle call, StationConfig station)
    {
        foreach (var code in station.Codes)
        {
            foreach (var digit in code.Code)
            {
                calls.Raise(CallEventArgs.Dtmf(call, digit, DtmfSource.Rfc4733));
            }
        }
    }

    private static void Type(SimulatedBoard board, string keys)
    {
        foreach (var key in keys)
        {
            board.PressKey(key);
        }
    }

    /// <summary>MQTT and webhooks as StationIntegrations.Start builds them, not started: starting connects.</summary>
    private static (int DiscoveryDocuments, int WebhookEndpoints) Integrations(IntercomConfig config, DoorStation door, IBoard board, TimeProvider time)
    {
        using var feed = new StationFeed(door, board, config.Accounts.Where(a => a.Register).Select(a => a.Id), time);
        var documents = 0;
        var endpoints = 0;
        if (config.Mqtt.Enabled)
        {
            var bridge = new StationMqttBridge(config.Mqtt, config.Name, "0.0.0-fuzz", config.Station.DoorRelay, feed, door, time, FailOnErrorLogger.Instance);
            try
            {
                _ = bridge.BuildOptions();
                documents = HomeAssistantDiscovery.Build(bridge.Topics, config.Name, "0.0.0-fuzz", feed.RelayIds, feed.AccountIds, config.Mqtt.AcceptCommands).Count;
                CommandTopicsOpenTheirRelay(bridge.Topics, feed.RelayIds, config.Station.DoorRelay);
            }
            finally
            {
                bridge.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        if (config.Webhooks.Endpoints.Count > 0)
        {
            using var nowhere = new NoHttp();
            var webhooks = new WebhookDispatcher(config.Webhooks, config.Name, feed, time, FailOnErrorLogger.Instance, nowhere);
            endpoints = webhooks.Endpoints.Count;
            webhooks.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return (documents, endpoints);
    }

    /// <summary>
    /// Discovery gives Home Assistant one command topic per relay (PREFIX/relay/ID/set): a command there must open that
    /// relay and no other, or a "gate" switch opens the door.
    /// </summary>
    private static void CommandTopicsOpenTheirRelay(MqttTopics topics, IReadOnlyList<string> relayIds, string doorRelay)
    {
        foreach (var relay in relayIds)
        {
            if (!MqttCommand.TryParse(topics, relayIds, doorRelay, topics.RelaySet(relay), "ON"u8, out var command, out var refusal)
                || command.Kind != MqttCommandKind.OpenRelay || command.Argument != relay)
            {
                throw new InvalidOperationException($"the command topic of relay '{relay}' ({topics.RelaySet(relay)}) opens '{command.Argument}' ({refusal})");
            }
        }
    }

    /// <summary>What WebServer.StartAsync reads from the "web" section before it binds.</summary>
    private static void Web(IntercomConfig config, TimeProvider time)
    {
        _ = new IPEndPoint(IPAddress.Parse(config.Web.Address), config.Web.Port);
        _ = new HostFilter(config.Web.AllowedHosts, time, FailOnErrorLogger.Instance, () => "intercom");
        _ = new SessionStore(time, TimeSpan.FromMinutes(config.Web.SessionIdleMinutes));
    }

    /// <summary>
    /// Files are the installer's, not the fuzzer's: a generated path could name a device or a huge file. The parts that
    /// read them (TLS identities, trust anchors, the event log's tail, WAV files) are left out; the paths were validated.
    /// </summary>
    private static void WithoutFiles(IntercomConfig config)
    {
        config.Station.EventLog.PersistPath = null;
        config.Mqtt.Tls.CaFile = null;
        config.Mqtt.Tls.CertificateFile = null;
        config.Mqtt.Tls.PrivateKeyFile = null;
    }

    /// <summary>An HTTP handler that is never asked: the dispatcher is not started.</summary>
    private sealed class NoHttp : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the config target sends no webhook");
    }
}
