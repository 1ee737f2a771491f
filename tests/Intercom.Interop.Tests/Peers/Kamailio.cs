using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Intercom.Interop.Tests.Peers;

/// <summary>
/// Kamailio as registrar and proxy on loopback: UDP, TCP and TLS listeners on free ports, digest authentication against a
/// file-based user store (db_text; no database server), locations in memory. Started and stopped by the test.
/// </summary>
public sealed class Kamailio : IAsyncDisposable
{
    private PeerProcess? _process;

    private Kamailio(string directory, TestCertificates certificates)
    {
        Directory = directory;
        Certificates = certificates;
    }

    public const string Domain = "127.0.0.1";

    public string Directory { get; }

    public TestCertificates Certificates { get; }

    public int UdpPort { get; private set; }

    public int TcpPort { get; private set; }

    public int TlsPort { get; private set; }

    public PeerProcess Process => _process ?? throw new InvalidOperationException("not started");

    /// <summary>The binrpc control socket (ctl module) kamcmd talks to, e.g. for the location table.</summary>
    public string ControlSocket => Path.Combine(Directory, "kamailio_ctl");

    /// <summary>Users (name → password) Kamailio authenticates.</summary>
    public Dictionary<string, string> Users { get; } = new(StringComparer.Ordinal);

    /// <summary>Challenge INVITEs from local users with 407 (as PBXs do), not only REGISTER with 401.</summary>
    public bool AuthenticateInvites { get; init; } = true;

    /// <summary>Digest algorithm offered in challenges: MD5 or SHA-256 (RFC 7616).</summary>
    public string Algorithm { get; init; } = "MD5";

    /// <summary>The network namespace Kamailio runs in; null: the test's own.</summary>
    public NetworkNamespace? NetworkNamespace { get; init; }

    /// <summary>
    /// An address (in <see cref="NetworkNamespace"/>) Kamailio listens on besides 127.0.0.1, on the same ports; it is the
    /// first listener, so what Kamailio sends to that network leaves from it.
    /// </summary>
    public string? ListenAddress { get; init; }

    /// <summary>
    /// Requests to a registered user go over the connection its REGISTER came on (nathelper's fix_nated_register: the
    /// source address is kept as the binding's "received"), as a PBX in front of NATed phones does, instead of a new
    /// connection to the Contact.
    /// </summary>
    public bool ReachRegisteredFlows { get; init; }

    /// <summary>
    /// Edge proxy and registrar of SIP outbound (RFC 5626) in one: the outbound and path modules, the registrar's
    /// outbound_mode 1 (Require: outbound to a REGISTER that offers it) with this Flow-Timer in seconds. 0: no outbound
    /// (the registrar ignores +sip.instance and reg-id).
    /// </summary>
    public int OutboundFlowTimer { get; init; }

    /// <summary>
    /// Users whose INVITEs Kamailio answers itself with 302 and this Contact (a PBX's call forwarding), after the
    /// caller authenticated.
    /// </summary>
    public Dictionary<string, string> Redirects { get; } = new(StringComparer.Ordinal);

    public static Kamailio Create(string directory, bool authenticateInvites = true, string algorithm = "MD5",
        NetworkNamespace? networkNamespace = null, string? listenAddress = null, bool reachRegisteredFlows = false, int outboundFlowTimer = 0)
    {
        System.IO.Directory.CreateDirectory(directory);
        var certificates = TestCertificates.Create(Path.Combine(directory, "tls"));
        return new Kamailio(directory, certificates)
        {
            UdpPort = FreePort.Next(),
            TcpPort = FreePort.Next(),
            TlsPort = FreePort.Next(),
            AuthenticateInvites = authenticateInvites,
            Algorithm = algorithm,
            NetworkNamespace = networkNamespace,
            ListenAddress = listenAddress,
            ReachRegisteredFlows = reachRegisteredFlows,
            OutboundFlowTimer = outboundFlowTimer,
        };
    }

    public string Uri(string user, string transport = "udp") => transport switch
    {
        "tcp" => $"sip:{user}@{Domain}:{TcpPort};transport=tcp",
        "tls" => $"sip:{user}@{Domain}:{TlsPort};transport=tls",
        _ => $"sip:{user}@{Domain}:{UdpPort}",
    };

    public async Task StartAsync()
    {
        WriteUserStore();
        WriteConfig();
        _process = PeerProcess.StartIn(NetworkNamespace?.Name, "kamailio",
        [
            "-DD", "-E",
            "-f", Path.Combine(Directory, "kamailio.cfg"),
            "-P", Path.Combine(Directory, "kamailio.pid"),
            "-Y", Directory,
            "-m", "64", "-M", "8",
        ], Directory);

        // Ready when the TCP and TLS listeners accept: the UDP listener is opened before them.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        foreach (var port in new[] { TcpPort, TlsPort })
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"kamailio exited ({_process.ExitCode}):\n{_process.Tail()}");
                }

                try
                {
                    var loopback = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port);
                    using var probe = NetworkNamespace?.CreateSocket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                        ?? new Socket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await probe.ConnectAsync(loopback).ConfigureAwait(false);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Runs an RPC command through kamcmd (e.g. "ul.dump") and returns its output.</summary>
    public async Task<string> RpcAsync(params string[] command)
    {
        var kamcmd = PeerProcess.Which("kamcmd") ?? throw new InvalidOperationException("'kamcmd' is not installed: apt-get install kamailio");
        var (exitCode, output) = await Ship.PublishedStation.RunAsync(kamcmd, ["-s", $"unix:{ControlSocket}", .. command], TimeSpan.FromSeconds(10))
            .ConfigureAwait(false);
        return exitCode == 0 ? output : throw new InvalidOperationException($"kamcmd {string.Join(' ', command)} failed ({exitCode}): {output}");
    }

    /// <summary>
    /// The SDP bodies Kamailio has relayed so far (logged base64-encoded, one line each), with the line's description,
    /// e.g. ("reply 200 for INVITE from 198.51.100.1:5060", "v=0\r\n...").
    /// </summary>
    public IReadOnlyList<(string Message, string Sdp)> RelayedSdp() =>
    [
        .. Process.Lines
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"sdp in (?<what>.+?): (?<body>[A-Za-z0-9+/=]+)\s*$"))
            .Where(m => m.Success)
            .Select(m => (m.Groups["what"].Value, Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups["body"].Value)))),
    ];

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
            _process = null;
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private void WriteUserStore()
    {
        var db = Path.Combine(Directory, "db");
        System.IO.Directory.CreateDirectory(db);
        File.WriteAllText(Path.Combine(db, "version"), "table_name(str) table_version(int)\nsubscriber:7\n");
        var sb = new StringBuilder("id(int,auto) username(str) domain(str) password(str) ha1(str,null) ha1b(str,null)\n");
        var id = 1;
        foreach (var (user, password) in Users)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{id++}:{user}:{Domain}:{password}:::\n");
        }

        File.WriteAllText(Path.Combine(db, "subscriber"), sb.ToString());
    }

    private void WriteConfig()
    {
        var tls = Path.Combine(Directory, "tls.cfg");
        File.WriteAllText(tls, $"""
            [server:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no
            private_key = {Certificates.PrivateKeyFile}
            certificate = {Certificates.CertificateFile}

            [client:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no
            """);

        var inviteAuth = AuthenticateInvites ? """
                if (is_method("INVITE|MESSAGE|SUBSCRIBE") && from_uri==myself) {
                    if (!auth_check("$fd", "subscriber", "1")) {
                        auth_challenge("$fd", "1");
                        exit;
                    }
                    consume_credentials();
                }
            """ : "";

        // RFC 5626 §5 edge proxy in front of the registrar, both in this one process: a REGISTER over TCP is the edge's
        // (it adds a Path with the flow token and ;ob, then hands the request to the registrar on the UDP listener);
        // a request whose Route is such a Path comes back to the edge, and the outbound module sends it over the flow.
        var outboundEdge = OutboundFlowTimer > 0 ? $$"""
                if (is_method("REGISTER") && $pr == "tcp") {
                    remove_hf("Route");
                    add_path();
                    $du = "sip:127.0.0.1:{{UdpPort}}";
                    route(RELAY);
                }
                if (!has_totag() && !is_method("REGISTER") && is_present_hf("Route")) {
                    if (is_method("INVITE|SUBSCRIBE")) {
                        record_route();
                    }
                    if (loose_route()) {
                        xlog("L_INFO", "edge: $rm over the flow to $du\n");
                        route(RELAY);
                    }
                    sl_send_reply("403", "Flow token refused");
                    exit;
                }
            """ : "";
        var redirects = string.Concat(Redirects.Select(r => $$"""
                if (is_method("INVITE") && $rU == "{{r.Key}}") {
                    append_to_reply("Contact: <{{r.Value}}>\r\n");
                    sl_send_reply("302", "Moved Temporarily");
                    exit;
                }

            """));
        var extraListen = ListenAddress is { } address
            ? $"listen=udp:{address}:{UdpPort}\nlisten=tcp:{address}:{TcpPort}\nlisten=tls:{address}:{TlsPort}\n"
            : "";
        var flowParams = ReachRegisteredFlows
            ? "modparam(\"nathelper\", \"received_avp\", \"$avp(RECEIVED)\")\nmodparam(\"registrar\", \"received_avp\", \"$avp(RECEIVED)\")\n"
            : "";
        var keepFlow = ReachRegisteredFlows ? "fix_nated_register();" : "";
        // outbound.so before rr.so and path.so: they bind to it when it is loaded first.
        var outboundModules = OutboundFlowTimer > 0 ? "loadmodule \"outbound.so\"\n" : "";
        var outboundParams = OutboundFlowTimer > 0
            ? $"loadmodule \"path.so\"\nmodparam(\"registrar\", \"outbound_mode\", 1)\nmodparam(\"registrar\", \"flow_timer\", {OutboundFlowTimer})\n"
              + "modparam(\"registrar\", \"use_path\", 1)\n"
            : "";
        File.WriteAllText(Path.Combine(Directory, "kamailio.cfg"), $$"""
            #!KAMAILIO
            debug=2
            log_stderror=yes
            memdbg=5
            memlog=5
            children=2
            tcp_children=2
            auto_aliases=no
            enable_tls=yes
            tcp_connection_lifetime=3605
            {{extraListen}}listen=udp:127.0.0.1:{{UdpPort}}
            listen=tcp:127.0.0.1:{{TcpPort}}
            listen=tls:127.0.0.1:{{TlsPort}}

            {{outboundModules}}loadmodule "tls.so"
            loadmodule "tm.so"
            loadmodule "tmx.so"
            loadmodule "sl.so"
            loadmodule "rr.so"
            loadmodule "pv.so"
            loadmodule "maxfwd.so"
            loadmodule "usrloc.so"
            loadmodule "registrar.so"
            loadmodule "textops.so"
            loadmodule "siputils.so"
            loadmodule "xlog.so"
            loadmodule "sanity.so"
            loadmodule "db_text.so"
            loadmodule "auth.so"
            loadmodule "auth_db.so"
            loadmodule "nathelper.so"
            loadmodule "ctl.so"

            modparam("tls", "config", "{{tls}}")
            modparam("usrloc", "db_mode", 0)
            modparam("registrar", "max_expires", 3600)
            modparam("registrar", "min_expires", 60)
            modparam("registrar", "gruu_enabled", 0)
            modparam("auth", "algorithm", "{{Algorithm}}")
            modparam("auth", "nonce_expire", 300)
            modparam("auth", "nonce_count", 1)
            modparam("auth_db", "db_url", "text://{{Path.Combine(Directory, "db")}}")
            modparam("auth_db", "calculate_ha1", yes)
            modparam("auth_db", "password_column", "password")
            modparam("auth_db", "use_domain", 0)
            modparam("rr", "enable_full_lr", 1)
            modparam("rr", "enable_double_rr", 1)
            modparam("ctl", "binrpc", "unix:{{ControlSocket}}")
            {{flowParams}}
            {{outboundParams}}

            request_route {
                if (!mf_process_maxfwd_header("10")) {
                    sl_send_reply("483", "Too Many Hops");
                    exit;
                }
                if (!sanity_check("17895", "7")) {
                    xlog("L_WARN", "malformed request from $si:$sp\n");
                    exit;
                }
                xlog("L_INFO", "request $rm $ru from $si:$sp ($pr)\n");
                if (has_body("application/sdp")) {
                    xlog("L_INFO", "sdp in request $rm from $si:$sp: $(rb{s.encode.base64})\n");
                }
                if (is_method("OPTIONS") && uri==myself && $rU==$null) {
                    sl_send_reply("200", "Keepalive");
                    exit;
                }
                if (has_totag()) {
                    if (loose_route()) {
                        route(RELAY);
                        exit;
                    }
                    if (is_method("ACK")) {
                        if (t_check_trans()) {
                            route(RELAY);
                        }
                        exit;
                    }
                    sl_send_reply("404", "Not here");
                    exit;
                }
                if (is_method("CANCEL")) {
                    if (t_check_trans()) {
                        route(RELAY);
                    }
                    exit;
                }
                t_check_trans();
            {{outboundEdge}}
                if (is_method("REGISTER")) {
                    if (!auth_check("$fd", "subscriber", "1")) {
                        auth_challenge("$fd", "1");
                        exit;
                    }
                    consume_credentials();
                    {{keepFlow}}
                    if (!save("location")) {
                        sl_reply_error();
                    }
                    exit;
                }
            {{inviteAuth}}
            {{redirects}}
                if (is_method("INVITE|SUBSCRIBE|UPDATE")) {
                    record_route();
                }
                if (uri==myself) {
                    if (!lookup("location")) {
                        sl_send_reply("404", "Not Found");
                        exit;
                    }
                }
                route(RELAY);
            }

            route[RELAY] {
                if (!t_relay()) {
                    sl_reply_error();
                }
                exit;
            }

            onreply_route {
                xlog("L_INFO", "reply $rs $rr for $rm from $si:$sp\n");
                if (has_body("application/sdp")) {
                    xlog("L_INFO", "sdp in reply $rs for $rm from $si:$sp: $(rb{s.encode.base64})\n");
                }
            }
            """);
    }
}
