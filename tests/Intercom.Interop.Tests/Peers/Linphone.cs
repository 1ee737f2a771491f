using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Intercom.Interop.Tests.Peers;

/// <summary>
/// Debian's linphone-daemon (liblinphone 5.1) as the far-end phone on loopback. It is driven through the unix socket its
/// <c>--pipe NAME</c> option creates at /tmp/NAME: one command per line, one plain-text response per command
/// ("Status: Ok|Error", an optional "Reason:" line, then a blank line and the body). SIP, RTP and the identity are bound to
/// 127.0.0.1 by the generated linphonerc; there is no sound card, so media runs on file (silent) audio.
/// </summary>
public sealed class Linphone : IAsyncDisposable
{
    private readonly SemaphoreSlim _commandLock = new(1, 1);
    private readonly List<CallEvent> _events = [];
    private int? _lastCallId;
    private readonly byte[] _receiveBuffer = new byte[64 * 1024];
    private PeerProcess? _process;
    private Socket? _control;

    private Linphone(string directory, string user)
    {
        Directory = directory;
        User = user;
        PipeName = $"intercom-linphone-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48];
    }

    public string Directory { get; }

    /// <summary>The user part of the daemon's own identity (sip:USER@127.0.0.1), used until it registers an account.</summary>
    public string User { get; }

    /// <summary>Name given to <c>--pipe</c>; the daemon listens on /tmp/&lt;name&gt;.</summary>
    public string PipeName { get; }

    public string SocketPath => Path.Combine("/tmp", PipeName);

    public string LogFile => Path.Combine(Directory, "linphone.log");

    public string ConfigFile => Path.Combine(Directory, "linphonerc");

    public int SipPort { get; private set; }

    /// <summary>Even RTP port; RTCP uses the next one (RFC 3550 §11).</summary>
    public int AudioRtpPort { get; private set; }

    /// <summary>Answer incoming calls at once (<c>--auto-answer</c>).</summary>
    public bool AutoAnswer { get; init; }

    /// <summary>How <see cref="SendDtmfAsync"/> sends digits: RTP telephone-events or SIP INFO.</summary>
    public DtmfMethod Dtmf { get; init; } = DtmfMethod.Rfc4733;

    /// <summary>The direct URI of this phone (no registrar involved).</summary>
    public string ContactUri => $"sip:{User}@127.0.0.1:{SipPort}";

    public PeerProcess Process => _process ?? throw new InvalidOperationException("not started");

    public static Linphone Create(string directory, string user = "linphone", bool autoAnswer = false,
        DtmfMethod dtmf = DtmfMethod.Rfc4733)
    {
        System.IO.Directory.CreateDirectory(directory);
        return new Linphone(directory, user)
        {
            SipPort = FreePort.Next(),
            AudioRtpPort = FreeRtpPortPair(),
            AutoAnswer = autoAnswer,
            Dtmf = dtmf,
        };
    }

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        // liblinphone keeps its databases under $HOME/.local/share/linphone; without a writable one it never starts the core.
        var home = Path.Combine(Directory, "home");
        System.IO.Directory.CreateDirectory(Path.Combine(home, ".local", "share", "linphone"));
        File.WriteAllText(ConfigFile, BuildConfig());

        List<string> arguments = ["--config", ConfigFile, "--pipe", PipeName, "--log", LogFile, "--disable-stats-events"];
        if (AutoAnswer)
        {
            arguments.Add("--auto-answer");
        }

        _process = PeerProcess.Start("linphone-daemon", arguments, Directory, new Dictionary<string, string> { ["HOME"] = home });
        _process.TryRaisePriority();

        // Ready when the control socket accepts and the SIP listening point is open (the daemon logs its creation).
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"linphone-daemon exited ({_process.ExitCode}):\n{Tail()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"linphone-daemon did not open /tmp/{PipeName} and its SIP port {SipPort} in time:\n{Tail()}");
            }

            if (_control is null && File.Exists(SocketPath))
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath)).ConfigureAwait(false);
                    _control = socket;
                }
                catch (SocketException)
                {
                    socket.Dispose();
                }
            }

            if (_control is not null && LogContains($"Creating listening point") && LogContains($":{SipPort};transport=UDP"))
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends one daemon command and returns its response. The daemon writes each response with a single send() and adds no
    /// terminator; commands are serialised, so the next read returns exactly the response to this command.
    /// </summary>
    public async Task<Response> CommandAsync(string command, TimeSpan? timeout = null)
    {
        var control = _control ?? throw new InvalidOperationException("not started");
        await _commandLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
            await control.SendAsync(Encoding.UTF8.GetBytes(command + "\n"), SocketFlags.None, cts.Token).ConfigureAwait(false);
            int n;
            try
            {
                n = await control.ReceiveAsync(_receiveBuffer, SocketFlags.None, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"linphone-daemon did not answer '{command}':\n{Tail()}");
            }

            if (n == 0)
            {
                throw new InvalidOperationException($"linphone-daemon closed its control socket on '{command}':\n{Tail()}");
            }

            return Response.Parse(Encoding.UTF8.GetString(_receiveBuffer, 0, n));
        }
        finally
        {
            _commandLock.Release();
        }
    }

    /// <summary>Sends a command that must succeed; an error response fails the test with the reason and the log tail.</summary>
    public async Task<Response> CommandOkAsync(string command)
    {
        var response = await CommandAsync(command).ConfigureAwait(false);
        if (!response.Ok)
        {
            throw new InvalidOperationException($"linphone-daemon refused '{command}': {response.Reason}\n{Tail()}");
        }

        return response;
    }

    /// <summary>Registers an account (identity sip:user@domain at proxy sip:host:port); returns the daemon's account id.</summary>
    public async Task<int> RegisterAsync(string identity, string proxy, string password)
    {
        var response = await CommandOkAsync($"register {identity} {proxy} {password}").ConfigureAwait(false);
        return response.IntField("Id");
    }

    public async Task WaitForRegistrationAsync(int accountId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Response status;
        do
        {
            status = await CommandAsync($"register-status {accountId}").ConfigureAwait(false);
            if (status.Field("State") == "LinphoneRegistrationOk")
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"linphone did not register within {timeout.TotalSeconds:0.#} s: {status.Field("State")}\n{Tail()}");
    }

    /// <summary>Places a call; returns the daemon's call id.</summary>
    public async Task<int> CallAsync(string uri)
    {
        var response = await CommandOkAsync($"call {uri}").ConfigureAwait(false);
        return response.IntField("Id");
    }

    public Task AnswerAsync(int callId) => CommandOkAsync($"answer {callId.ToString(CultureInfo.InvariantCulture)}");

    public Task TerminateAsync(int? callId = null) =>
        CommandOkAsync(callId is null ? "terminate" : $"terminate {callId.Value.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Sends one digit (0-9, A-D, *, #) on the current call, in the configured <see cref="Dtmf"/>.</summary>
    public Task SendDtmfAsync(char digit) => CommandOkAsync($"dtmf {digit}");

    /// <summary>
    /// Waits until a call reaches <paramref name="state"/> (liblinphone's LinphoneCallState without its prefix:
    /// IncomingReceived, OutgoingRinging, Connected, StreamsRunning, End, Released...). Queued call-state events are
    /// consumed oldest first; the call's present state (call-status) counts too, and a call the daemon no longer knows
    /// counts as Released. Returns the call id.
    /// </summary>
    public async Task<int> WaitForCallStateAsync(string state, TimeSpan timeout, int? callId = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await DrainEventsAsync().ConfigureAwait(false);
            lock (_events)
            {
                var index = _events.FindIndex(e => e.State == state && (callId is null || e.CallId == callId));
                if (index >= 0)
                {
                    var found = _events[index];
                    _events.RemoveAt(index);
                    return found.CallId;
                }
            }

            var status = await CommandAsync(callId is null ? "call-status" : $"call-status {callId.Value.ToString(CultureInfo.InvariantCulture)}")
                .ConfigureAwait(false);
            // call-status without an id reports the current call but not its id: the newest call-state event names it.
            int? knownId;
            lock (_events)
            {
                knownId = callId ?? _lastCallId;
            }

            if (status.Ok && status.Field("State") == "LinphoneCall" + state && knownId is not null)
            {
                return knownId.Value;
            }

            if (!status.Ok && callId is not null && state is "Released" or "End")
            {
                return callId.Value;
            }

            if (DateTime.UtcNow > deadline)
            {
                string seen;
                lock (_events)
                {
                    seen = string.Join(", ", _events.Select(e => $"{e.CallId}:{e.State}"));
                }

                throw new TimeoutException(
                    $"linphone call did not reach {state} within {timeout.TotalSeconds:0.#} s (call-status: {status.Field("State") ?? status.Reason}; events: {seen}):\n{Tail()}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>Every call-state event the daemon has queued so far (pop-event until empty), oldest first.</summary>
    public async Task DrainEventsAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            var response = await CommandAsync("pop-event").ConfigureAwait(false);
            if (!response.Ok || response.Field("Event-type") is null)
            {
                return;
            }

            var name = response.Field("Event");
            if (response.Field("Event-type") == "call-state-changed" && name is not null && name.StartsWith("LinphoneCall", StringComparison.Ordinal))
            {
                lock (_events)
                {
                    _events.Add(new CallEvent(response.IntField("Id"), name["LinphoneCall".Length..]));
                    _lastCallId = response.IntField("Id");
                }
            }
        }
    }

    /// <summary>The daemon's log so far (its stdout is empty when --log is given); empty before the file exists.</summary>
    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public bool LogContains(string text) => ReadLog().Contains(text, StringComparison.Ordinal);

    /// <summary>The last lines of the daemon's log, for failure messages.</summary>
    public string Tail(int lines = 60) => string.Join('\n', ReadLog().Split('\n').TakeLast(lines)) + "\n" + _process?.Tail(10);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_control is not null && _process is { HasExited: false })
            {
                // "quit" lets liblinphone end its calls and unregister; SIGTERM/SIGKILL by PID follow if it does not exit.
                try
                {
                    await _control.SendAsync(Encoding.UTF8.GetBytes("quit\n"), SocketFlags.None).ConfigureAwait(false);
                    await _process.WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or TimeoutException)
                {
                    // Stopped by PID below.
                }
            }

            _control?.Dispose();
            if (_process is not null)
            {
                await _process.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            // The daemon leaves its socket file behind when it is killed.
            File.Delete(SocketPath);
            _commandLock.Dispose();
        }
    }

    private string BuildConfig()
    {
        var (info, rfc2833) = Dtmf == DtmfMethod.SipInfo ? (1, 0) : (0, 1);
        return string.Create(CultureInfo.InvariantCulture, $"""
            [sip]
            sip_port={SipPort}
            sip_tcp_port=0
            sip_tls_port=0
            bind_address=127.0.0.1
            use_ipv6=0
            guess_hostname=0
            contact=sip:{User}@127.0.0.1
            use_info={info}
            use_rfc2833={rfc2833}
            inc_timeout=120
            supported=replaces
            ping_with_options=0

            [rtp]
            audio_rtp_port={AudioRtpPort}
            bind_address=127.0.0.1
            audio_jitt_comp=60

            [net]
            firewall_policy=0
            nat_policy_ref=

            [sound]
            use_files=1

            [video]
            capture=0
            display=0
            automatically_initiate=0
            automatically_accept=0

            [misc]
            enable_basic_to_client_group_chat_room_migration=0
            version_check_url_root=

            [storage]
            uri={Path.Combine(Directory, "linphone.db")}

            """);
    }

    /// <summary>An even port whose successor is free too: RTP on the even one, RTCP on the odd one (RFC 3550 §11).</summary>
    public static int FreeRtpPortPair()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)probe.LocalEndPoint!).Port & ~1;
            if (port < 1024 || port > 65534)
            {
                continue;
            }

            try
            {
                using var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                using var rtcp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                probe.Close();
                rtp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                rtcp.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                return port;
            }
            catch (SocketException)
            {
                // One of the pair is taken: try another.
            }
        }

        throw new InvalidOperationException("no free RTP/RTCP port pair on loopback");
    }

    /// <summary>How liblinphone sends DTMF ([sip] use_rfc2833 / use_info in linphonerc).</summary>
    public enum DtmfMethod
    {
        /// <summary>RTP telephone-event packets (RFC 4733, formerly RFC 2833).</summary>
        Rfc4733,

        /// <summary>In-dialog SIP INFO requests with an application/dtmf-relay body.</summary>
        SipInfo,
    }

    /// <summary>One daemon response: "Status: Ok|Error", an optional "Reason: ..." line, then "Key: value" body lines.</summary>
    public sealed class Response
    {
        private readonly List<KeyValuePair<string, string>> _fields = [];

        private Response(string text) => Text = text;

        public string Text { get; }

        public bool Ok { get; private set; }

        public string? Reason { get; private set; }

        public static Response Parse(string text)
        {
            var response = new Response(text);
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.TrimEnd('\r');
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                var key = line[..colon];
                var value = line[(colon + 1)..].Trim();
                switch (key)
                {
                    case "Status":
                        response.Ok = value == "Ok";
                        break;
                    case "Reason":
                        response.Reason = value;
                        break;
                    default:
                        response._fields.Add(new(key, value));
                        break;
                }
            }

            return response;
        }

        /// <summary>The first body field named <paramref name="key"/>, or null.</summary>
        public string? Field(string key)
        {
            foreach (var (k, v) in _fields)
            {
                if (k == key)
                {
                    return v;
                }
            }

            return null;
        }

        public int IntField(string key) => int.TryParse(Field(key), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"linphone-daemon response has no numeric {key}: {Text}");

        public override string ToString() => Text;
    }

    private sealed record CallEvent(int CallId, string State);
}
