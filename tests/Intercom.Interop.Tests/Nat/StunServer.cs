using System.Net;
using System.Net.Sockets;
using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// coturn (Debian's `coturn`, the `turnserver` binary; its system service stays stopped) as the provider's STUN server:
/// STUN only (-S) and UDP only, or a TURN server on UDP and TCP (RFC 8656 §3.1), listening on the lab's provider address
/// alone, no configuration file (-n), its log on stdout. Ready once it answers a Binding request.
/// </summary>
public sealed class StunServer : IAsyncDisposable
{
    public const int Port = 3478;

    private PeerProcess? _process;

    private StunServer(NetworkNamespace networkNamespace, string address, string directory)
    {
        Namespace = networkNamespace;
        Address = address;
        Directory = directory;
    }

    public NetworkNamespace Namespace { get; }

    public string Address { get; }

    public string Directory { get; }

    public IPEndPoint EndPoint => new(IPAddress.Parse(Address), Port);

    /// <summary>The server as an RFC 7064 URI, as accounts[].nat.stun names it.</summary>
    public string Uri => $"stun:{Address}:{Port}";

    public PeerProcess Process => _process ?? throw new InvalidOperationException("not started");

    /// <summary>The TURN user when the server relays too (<see cref="StartAsync"/>'s relay), else null.</summary>
    public string? TurnUser { get; private init; }

    /// <summary>The TURN password of <see cref="TurnUser"/>.</summary>
    public string? TurnPassword { get; private init; }

    /// <summary>The server as an RFC 7065 URI, as accounts[].nat.turn.servers names it.</summary>
    public string TurnUri => $"turn:{Address}:{Port}";

    /// <param name="relay">
    /// Also a TURN server (RFC 8656) for this user and password (long-term credentials, realm nat-lab), relaying from its
    /// one address; false: STUN only.
    /// </param>
    public static async Task<StunServer> StartAsync(NetworkNamespace networkNamespace, string address, string directory, TimeSpan timeout,
        (string User, string Password)? relay = null)
    {
        ArgumentNullException.ThrowIfNull(networkNamespace);
        System.IO.Directory.CreateDirectory(directory);
        var server = new StunServer(networkNamespace, address, directory) { TurnUser = relay?.User, TurnPassword = relay?.Password };
        string[] mode = relay is { } account
            ? ["--lt-cred-mech", "--user", $"{account.User}:{account.Password}", "--realm", "nat-lab", "--relay-ip", address,
                "--min-port", "49152", "--max-port", "65000", "--no-multicast-peers", "--verbose"]
            : ["--stun-only"];
        server._process = PeerProcess.StartIn(networkNamespace.Name, "turnserver",
        [
            "-n", .. mode, "--listening-ip", address, "--listening-port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // A TURN server takes TCP too (RFC 8656 §3.1: TURN over TCP, for clients whose network lets no UDP out).
            .. (relay is null ? new[] { "--no-tcp" } : Array.Empty<string>()), "--no-tls", "--no-dtls", "--no-cli", "--relay-threads", "1", "--no-software-attribute",
            "--log-file", "stdout", "--simple-log",
            "--pidfile", Path.Combine(directory, "turnserver.pid"), "--db", Path.Combine(directory, "turndb"),
        ], directory);
        try
        {
            await server.WaitUntilAnsweringAsync(timeout).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout)
    {
        using var probe = Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Any, 0));
        var deadline = DateTime.UtcNow + timeout;
        
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"turnserver exited ({Process.ExitCode}):\n{Process.Tail()}");
            }

            if (await StunBindingProbe.MappedAddressAsync(probe, EndPoint, TimeSpan.FromMilliseconds(500)).ConfigureAwait(false) is not null)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"turnserver did not answer a STUN Binding request on {Address}:{Port} within {timeout.TotalSeconds:0} s:\n{Process.Tail()}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
            _process = null;
        }
    }
}
