using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Intercom.Interop.Tests.Peers;

/// <summary>
/// baresip as the far-end phone: one account registered at Kamailio (or none, for direct calls), auto-answering, a sine
/// tone as its microphone, the decoded far-end audio dumped to WAV (sndfile module), and driven through ctrl_tcp
/// (netstring JSON commands and events) so a test can dial, hang up, send DTMF and wait for call events.
/// </summary>
public sealed class Baresip : IAsyncDisposable
{
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _seen = [];
    private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _responses = new(StringComparer.Ordinal);
    private PeerProcess? _process;
    private Socket? _control;
    private NetworkStream? _stream;
    private Task? _reader;
    private int _token;

    private Baresip(string directory) => Directory = directory;

    public string Directory { get; }

    public int SipPort { get; private set; }

    public int ControlPort { get; private set; }

    /// <summary>The account line (baresip accounts file syntax), e.g. &lt;sip:bob@127.0.0.1:5060&gt;;auth_pass=x;answermode=auto.</summary>
    public string Account { get; init; } = "";

    /// <summary>Frequency baresip's microphone plays (ausine works at 48 kHz stereo only; baresip resamples for the codec).</summary>
    public int ToneHz { get; init; } = 440;

    /// <summary>baresip's audio_source instead of the sine (e.g. "aufile,/abs/tones.wav" to play a recording as its microphone).</summary>
    public string? AudioSource { get; init; }

    /// <summary>Folder the sndfile module dumps encoded/decoded audio into.</summary>
    public string RecordingDirectory => Path.Combine(Directory, "rec");

    public string? CaFile { get; init; }

    /// <summary>The network namespace baresip runs in; null: the test's own.</summary>
    public NetworkNamespace? NetworkNamespace { get; init; }

    /// <summary>The address baresip's SIP and media use (its -n and sip_listen).</summary>
    public string SipAddress { get; init; } = "127.0.0.1";

    public PeerProcess Process => _process ?? throw new InvalidOperationException("not started");

    /// <summary>Offer and accept RTP/RTCP multiplexing (baresip's rtcp_mux); off by default.</summary>
    public bool RtcpMux { get; set; }

    /// <summary>More config lines (e.g. "module ice.so" for ICE), appended as given.</summary>
    public string? ExtraConfig { get; set; }

    public static Baresip Create(string directory, string account, int toneHz = 440, string? caFile = null, string? audioSource = null,
        NetworkNamespace? networkNamespace = null, string sipAddress = "127.0.0.1")
    {
        System.IO.Directory.CreateDirectory(directory);
        return new Baresip(directory)
        {
            Account = account, ToneHz = toneHz, CaFile = caFile, AudioSource = audioSource, SipPort = FreePort.Next(), ControlPort = FreePort.Next(),
            NetworkNamespace = networkNamespace, SipAddress = sipAddress,
        };
    }

    /// <summary>
    /// Starts baresip. A free port can be taken by a parallel test between choosing it and baresip binding it; baresip
    /// then exits with EADDRINUSE (98) and is started again on new ports.
    /// </summary>
    public async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync().ConfigureAwait(false);
                return;
            }
            catch (PortTakenException) when (attempt < 3)
            {
                await _process!.DisposeAsync().ConfigureAwait(false);
                SipPort = FreePort.Next();
                ControlPort = FreePort.Next();
            }
        }
    }

    private async Task StartOnceAsync()
    {
        System.IO.Directory.CreateDirectory(RecordingDirectory);
        File.WriteAllText(Path.Combine(Directory, "accounts"), Account + "\n");
        File.WriteAllText(Path.Combine(Directory, "contacts"), "");
        // Below Linux's ephemeral range (32768+), so no socket the system hands out lands in it.
        var rtpBase = 20000 + (SipPort % 120) * 100;
        var config = new StringBuilder();
        config.Append(CultureInfo.InvariantCulture, $"""
            poll_method epoll
            sip_listen {SipAddress}:{SipPort}
            call_local_timeout 120
            call_max_calls 4
            audio_player alsa,null
            audio_source {AudioSource ?? $"ausine,{ToneHz}"}
            audio_alert alsa,null
            audio_level no
            ausrc_srate 48000
            ausrc_channels 2
            auplay_srate 48000
            auplay_channels 1
            rtp_ports {rtpBase}-{rtpBase + 99}
            rtcp_mux {(RtcpMux ? "yes" : "no")}
            jitter_buffer_delay 1-10
            snd_path {RecordingDirectory}
            module_path /usr/lib/baresip/modules
            module alsa.so
            module g711.so
            module g722.so
            module opus.so
            module ausine.so
            module aufile.so
            module sndfile.so
            module srtp.so
            module dtls_srtp.so
            module_tmp uuid.so
            module_tmp account.so
            module_app menu.so
            module_app ctrl_tcp.so
            ctrl_tcp_listen 127.0.0.1:{ControlPort}
            opus_bitrate 32000

            """);
        if (CaFile is not null)
        {
            config.Append(CultureInfo.InvariantCulture, $"sip_cafile {CaFile}\n");
        }

        if (ExtraConfig is not null)
        {
            config.Append(ExtraConfig).Append('\n');
        }

        File.WriteAllText(Path.Combine(Directory, "config"), config.ToString());
        // -n 127.0.0.1: media and contacts on loopback only, never the machine's real interface (or on the address the
        // test gave it inside a namespace of its own).
        _process = PeerProcess.StartIn(NetworkNamespace?.Name, "baresip", ["-n", SipAddress, "-f", Directory], Directory);
        // Before any call: the audio threads a call starts inherit it (see TryRaisePriority).
        _process.TryRaisePriority();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process.HasExited)
            {
                var message = $"baresip exited ({_process.ExitCode}):\n{_process.Tail()}";
                throw _process.ExitCode == AddressInUse ? new PortTakenException(message) : new InvalidOperationException(message);
            }

            try
            {
                // ctrl_tcp listens on the loopback of baresip's namespace: the socket is made there too.
                _control = NetworkNamespace?.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                    ?? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await _control.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, ControlPort)).ConfigureAwait(false);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                _control?.Dispose();
                await Task.Delay(100).ConfigureAwait(false);
            }
        }

        _stream = new NetworkStream(_control, ownsSocket: false);
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Sends a ctrl_tcp command (e.g. "dial", "hangup", "accept", "send_dtmf"... as in baresip's menu) and returns its response text.</summary>
    public async Task<string> CommandAsync(string command, string? parameters = null, TimeSpan? timeout = null)
    {
        var token = Interlocked.Increment(ref _token).ToString(CultureInfo.InvariantCulture);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_responses)
        {
            _responses[token] = tcs;
        }

        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms))
        {
            writer.WriteStartObject();
            writer.WriteString("command", command);
            if (parameters is not null)
            {
                writer.WriteString("params", parameters);
            }

            writer.WriteString("token", token);
            writer.WriteEndObject();
        }

        var json = ms.ToArray();
        var frame = Encoding.ASCII.GetBytes(json.Length.ToString(CultureInfo.InvariantCulture) + ":").Concat(json).Append((byte)',').ToArray();
        await _stream!.WriteAsync(frame).ConfigureAwait(false);
        var response = await tcs.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return response.TryGetProperty("data", out var data) ? data.GetString() ?? "" : "";
    }

    /// <summary>
    /// Waits until the account is registered. Polled through "reginfo" because the REGISTER_OK event may have been sent
    /// before the control connection was up.
    /// </summary>
    public async Task WaitForRegistrationAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string info;
        do
        {
            info = await CommandAsync("reginfo").ConfigureAwait(false);
            if (info.Contains("OK", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"baresip did not register within {timeout.TotalSeconds:0.#} s: {info}\n{Process.Tail()}");
    }

    /// <summary>Waits for a baresip event of the given type (CALL_INCOMING, CALL_ESTABLISHED, CALL_CLOSED, REGISTER_OK, ...).</summary>
    public Task<JsonElement> WaitForEventAsync(string type, TimeSpan timeout) => WaitForEventAsync(type, static _ => true, timeout);

    /// <summary>
    /// Waits for a baresip event of the given type that <paramref name="match"/> accepts (say, of another call than one
    /// already seen: its "id" is the call's Call-ID); events of the type that it refuses stay for later waits.
    /// </summary>
    public async Task<JsonElement> WaitForEventAsync(string type, Func<JsonElement, bool> match, TimeSpan timeout)
    {
        lock (_seen)
        {
            var index = _seen.FindIndex(e => EventType(e) == type && match(e));
            if (index >= 0)
            {
                var found = _seen[index];
                _seen.RemoveAt(index);
                return found;
            }
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
                lock (_seen)
                {
                    if (EventType(e) == type && match(e))
                    {
                        _seen.Remove(e);
                        return e;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            string seen;
            lock (_seen)
            {
                seen = string.Join(", ", _seen.Select(e => e.ToString()));
            }

            throw new TimeoutException($"baresip event {type} did not come within {timeout.TotalSeconds:0.#} s (seen: {seen}). Output:\n{Process.Tail()}");
        }
    }

    private static string? EventType(JsonElement e) => e.TryGetProperty("type", out var t) ? t.GetString() : null;

    private async Task ReadLoopAsync()
    {
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                var n = await _stream!.ReadAsync(chunk).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                buffer.AddRange(chunk.AsSpan(0, n));
                while (TryTakeNetstring(buffer, out var payload))
                {
                    using var doc = JsonDocument.Parse(payload);
                    var element = doc.RootElement.Clone();
                    if (element.TryGetProperty("response", out _) && element.TryGetProperty("token", out var token))
                    {
                        lock (_responses)
                        {
                            if (_responses.Remove(token.GetString() ?? "", out var tcs))
                            {
                                tcs.TrySetResult(element);
                            }
                        }
                    }
                    else if (element.TryGetProperty("event", out _))
                    {
                        lock (_seen)
                        {
                            _seen.Add(element);
                        }

                        _events.Writer.TryWrite(element);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // baresip stopped; the waits above time out with its output.
        }
    }

    private static bool TryTakeNetstring(List<byte> buffer, out byte[] payload)
    {
        payload = [];
        var colon = buffer.IndexOf((byte)':');
        if (colon < 0)
        {
            return false;
        }

        var length = int.Parse(Encoding.ASCII.GetString(buffer.GetRange(0, colon).ToArray()), CultureInfo.InvariantCulture);
        if (buffer.Count < colon + 1 + length + 1)
        {
            return false;
        }

        payload = buffer.GetRange(colon + 1, length).ToArray();
        buffer.RemoveRange(0, colon + 1 + length + 1);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _stream?.Dispose();
        _control?.Dispose();
        if (_reader is not null)
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private const int AddressInUse = 98;

    private sealed class PortTakenException(string message) : InvalidOperationException(message);
}
