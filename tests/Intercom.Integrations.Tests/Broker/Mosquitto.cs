using System.Globalization;
using System.Text;

namespace Intercom.Integrations.Tests.Broker;

/// <summary>
/// Debian's mosquitto on a free loopback port with its own configuration file, stopped by PID. Optionally TLS (a test
/// CA's server certificate) and a password file (made with mosquitto_passwd).
/// </summary>
internal sealed class Mosquitto : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly PeerProcess _process;

    private Mosquitto(PeerProcess process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public string Output => _process.Output;

    /// <param name="tls">Serve TLS with this CA's server certificate.</param>
    /// <param name="user">Require this user name and password (anonymous clients refused).</param>
    public static async Task<Mosquitto> StartAsync(TestCertificates? tls = null, (string Name, string Password)? user = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "intercom-mosquitto-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var passwordFile = Path.Combine(directory, "passwd");
        if (user is { } u)
        {
            await using var passwd = PeerProcess.Start("mosquitto_passwd", ["-b", "-c", passwordFile, u.Name, u.Password]);
            Assert.Equal(0, await passwd.WaitForExitAsync(StartTimeout));
        }

        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var config = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"listener {port} 127.0.0.1")
                .AppendLine("persistence false")
                .AppendLine("log_dest stderr")
                .AppendLine("log_type error")
                .AppendLine("log_type warning")
                .AppendLine("log_type notice")
                .AppendLine("log_type information")
                .AppendLine(user is null ? "allow_anonymous true" : "allow_anonymous false");
            if (user is not null)
            {
                config.AppendLine(CultureInfo.InvariantCulture, $"password_file {passwordFile}");
            }

            if (tls is not null)
            {
                config.AppendLine(CultureInfo.InvariantCulture, $"cafile {tls.CaFile}")
                    .AppendLine(CultureInfo.InvariantCulture, $"certfile {tls.CertificateFile}")
                    .AppendLine(CultureInfo.InvariantCulture, $"keyfile {tls.PrivateKeyFile}");
            }

            var configFile = Path.Combine(directory, "mosquitto.conf");
            await File.WriteAllTextAsync(configFile, config.ToString());
            var process = PeerProcess.Start("mosquitto", ["-c", configFile]);
            try
            {
                await process.WaitForLineAsync(@"mosquitto version .* running", StartTimeout);
                return new Mosquitto(process, port, directory);
            }
            catch (InvalidOperationException) when (attempt < 3 && process.Output.Contains("Address already in use", StringComparison.Ordinal))
            {
                // A parallel test took the port between our probe and mosquitto's bind: try another.
                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
