using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Intercom.Interop.Tests.Turn;

/// <summary>
/// coturn (Debian's `turnserver`; its system service stays stopped) as a TURN relay on loopback for one test: a temporary
/// configuration file with long-term credentials (user u, password p, realm test), listening and relaying on 127.0.0.1
/// only, loopback peers allowed, no CLI; UDP and TCP on one free port, TLS on another when a certificate is given. Stopped
/// by its PID.
/// </summary>
internal sealed class CoturnRelay : IAsyncDisposable
{
    public const string Username = "u";
    public const string Password = "p";
    public const string Realm = "test";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly PeerProcess _process;
    private int _disposed;

    private CoturnRelay(PeerProcess process, string directory, int port, int tlsPort)
    {
        _process = process;
        Directory = directory;
        Port = port;
        TlsPort = tlsPort;
    }

    public string Directory { get; }

    public int Port { get; }

    public int TlsPort { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public IPEndPoint TlsEndPoint => new(IPAddress.Loopback, TlsPort);

    public string Log => _process.Tail(200);

    /// <summary>Waits for a log line matching <paramref name="pattern"/> (printed before or after the call).</summary>
    public Task WaitForLogAsync(string pattern, TimeSpan timeout) => _process.WaitForLineAsync(pattern, timeout);

    /// <summary>Starts coturn; with <paramref name="certificate"/> and <paramref name="key"/> (PEM) it also listens for TLS.</summary>
    public static async Task<CoturnRelay> StartAsync(string? certificate = null, string? key = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"intercom-turn-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        int port = FreePort.Next(IPAddress.Loopback);
        int tlsPort = certificate is null ? 0 : FreePort.Next(IPAddress.Loopback);
        var lines = new List<string>
        {
            "lt-cred-mech",
            $"user={Username}:{Password}",
            $"realm={Realm}",
            "listening-ip=127.0.0.1",
            "relay-ip=127.0.0.1",
            $"listening-port={port}",
            "allow-loopback-peers",
            "no-cli",
            "no-dtls",
            "no-multicast-peers",
            "relay-threads=1",
            "min-port=40000",
            "max-port=59999",
            "log-file=stdout",
            "simple-log",
            $"pidfile={Path.Combine(directory, "turnserver.pid")}",
            $"userdb={Path.Combine(directory, "turndb")}",
        };
        if (certificate is null)
        {
            lines.Add("no-tls");
        }
        else
        {
            lines.Add($"tls-listening-port={tlsPort}");
            lines.Add($"cert={certificate}");
            lines.Add($"pkey={key}");
        }

        string config = Path.Combine(directory, "turnserver.conf");
        await File.WriteAllLinesAsync(config, lines);
        PeerProcess process = PeerProcess.Start("turnserver", ["-c", config], directory);
        var relay = new CoturnRelay(process, directory, port, tlsPort);
        try
        {
            await process.WaitForLineAsync("Total General servers", StartTimeout);
            await relay.WaitForTcpAsync(port);
            if (certificate is not null)
            {
                await relay.WaitForTcpAsync(tlsPort);
            }
        }
        catch
        {
            await relay.DisposeAsync();
            throw;
        }

        return relay;
    }

    private async Task WaitForTcpAsync(int port)
    {
        await Eventually.UntilAsync(async () =>
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, $"turnserver listening on TCP {port.ToString(CultureInfo.InvariantCulture)}", StartTimeout, () => Log, TimeSpan.FromMilliseconds(100));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _process.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // coturn may still hold its database for a moment; the temp directory is left.
        }
    }
}
