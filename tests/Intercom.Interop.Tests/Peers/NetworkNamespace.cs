using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Intercom.Interop.Tests.Peers;

/// <summary>
/// A Linux network namespace a test creates (`ip netns add`) and deletes again, with its own loopback. Peers run inside
/// it through <see cref="PeerProcess.StartIn"/> (by <see cref="Name"/>); the test reaches their control ports with sockets created inside it
/// (<see cref="CreateSocket"/>), so every packet stays in namespaces the test made or on loopback. Needs root.
/// </summary>
public sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private bool _deleted;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>Creates a namespace named PREFIX-RANDOM with its loopback up.</summary>
    public static NetworkNamespace Create(string prefix)
    {
        RequireRoot();
        var ns = new NetworkNamespace($"{prefix}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}");
        RunIp("netns", "add", ns.Name);
        try
        {
            ns.Ip("link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>Fails with what to do when the test cannot create namespaces.</summary>
    public static void RequireRoot()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                $"this test creates network namespaces (ip netns, veth) and must run as root (uid 0); it runs as uid {Geteuid()}. Run the tests as root, as CI does.");
        }

        if (PeerProcess.Which("ip") is null)
        {
            throw new InvalidOperationException("'ip' is not installed: install the Debian package iproute2");
        }
    }

    /// <summary>
    /// A veth pair between <paramref name="a"/> and <paramref name="b"/>, each end with its address (CIDR), both up.
    /// Returns the interface names (at most 15 characters, the kernel's limit).
    /// </summary>
    public static (string A, string B) Link(NetworkNamespace a, string addressA, NetworkNamespace b, string addressB)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var suffix = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        var (nameA, nameB) = ("va" + suffix, "vb" + suffix);
        RunIp("link", "add", nameA, "netns", a.Name, "type", "veth", "peer", "name", nameB, "netns", b.Name);
        a.Ip("addr", "add", addressA, "dev", nameA);
        b.Ip("addr", "add", addressB, "dev", nameB);
        a.Ip("link", "set", nameA, "up");
        b.Ip("link", "set", nameB, "up");
        return (nameA, nameB);
    }

    /// <summary>Runs `ip -n NAME ARGS` (e.g. "link", "set", "veth0", "down").</summary>
    public string Ip(params string[] arguments) => RunIp(["-n", Name, .. arguments]);

    /// <summary>
    /// A socket inside this namespace. A thread joins the namespace (setns(2) changes only the calling thread), creates the
    /// socket and ends; the socket stays in the namespace it was created in, whichever thread uses it afterwards.
    /// </summary>
    public Socket CreateSocket(AddressFamily family, SocketType type, ProtocolType protocol)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{Name}");
                if (Setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(family, type, protocol);
            }
#pragma warning disable CA1031 // Handed to the caller's thread below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"no socket in {Name}", failure);
    }

    /// <summary>Connects a TCP socket inside this namespace to <paramref name="endPoint"/>, retrying until <paramref name="timeout"/>.</summary>
    public async Task<Socket> ConnectTcpAsync(IPEndPoint endPoint, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var socket = CreateSocket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endPoint).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                await Task.Delay(100).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>Deletes the namespace (its veth ends go with it). Idempotent; processes still inside keep it alive until they exit.</summary>
    public void Dispose()
    {
        if (_deleted)
        {
            return;
        }

        _deleted = true;
        RunIp("netns", "del", Name);
    }

    private static string RunIp(params string[] arguments)
    {
        var psi = new ProcessStartInfo("ip", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("ip did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException($"ip {string.Join(' ', arguments)} did not finish in 10 s");
        }

        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Trim()}");
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int Setns(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint Geteuid();
}
