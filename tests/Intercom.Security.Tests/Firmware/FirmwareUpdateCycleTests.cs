using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Web;

namespace Intercom.Security.Tests.Firmware;

/// <summary>
/// Issue #21.5, the whole update cycle against the published binary started as the package starts it (the launcher,
/// restarted on every exit as systemd does): an upload whose signature no trusted key made, or whose bytes changed after
/// signing, or that is older than the running version, is refused and nothing is written; a good release is installed
/// beside the running one and the station restarts into it and confirms it; a release that crashes at start is rolled
/// back to the one before at the next start, and the page says so.
/// </summary>
public sealed class FirmwareUpdateCycleTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _keys = Directory.CreateTempSubdirectory("intercom-release-keys-").FullName;
    private string TrustedKey => Path.Combine(_keys, "trusted.pem");
    private string StrangerKey => Path.Combine(_keys, "stranger.pem");

    public async Task InitializeAsync()
    {
        await OpenSsl("genpkey", "-algorithm", "ed25519", "-out", TrustedKey);
        await OpenSsl("genpkey", "-algorithm", "ed25519", "-out", StrangerKey);
        await OpenSsl("pkey", "-in", TrustedKey, "-pubout", "-out", TrustedKey + ".pub");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_keys, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Bad_uploads_are_refused_a_good_release_runs_and_one_that_crashes_is_rolled_back()
    {
        var port = FreePort.Next();
        await using var station = await LaunchedStation.CreateAsync(WebStation.Config(port), TrustedKey + ".pub");
        station.Start();
        await station.Run!.WaitForLineAsync("ready", Wait);
        var session = await WebStation.SetupAsync(Path.GetDirectoryName(station.ConfigPath)!, port);
        var good = await ReleaseAsync(station, "intercom-0.1.1-test-linux-x64", Path.Combine(station.PackageDirectory, "intercom"));

        // Refused, and nothing of it written: signed by a key the station does not trust; changed after signing; older.
        var refused = await UploadAsync(port, session, good, await SignAsync(good, StrangerKey));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Contains("signature", refused.Body, StringComparison.Ordinal);
        var tampered = (byte[])good.Clone();
        tampered[^10] ^= 0x40;
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await UploadAsync(port, session, tampered, await SignAsync(good, TrustedKey))).Status);
        var older = await ReleaseAsync(station, "intercom-0.0.9-linux-x64", Path.Combine(station.PackageDirectory, "intercom"));
        var downgrade = await UploadAsync(port, session, older, await SignAsync(older, TrustedKey));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, downgrade.Status);
        Assert.Contains("downgrades are refused", downgrade.Body, StringComparison.Ordinal);
        Assert.False(Directory.Exists(station.Releases) && Directory.EnumerateFileSystemEntries(station.Releases).Any(e => !e.Contains(".incoming", StringComparison.Ordinal)),
            "a refused upload left something in the releases directory");
        Assert.False(station.Run.HasExited);

        // A good release: installed, the station restarts (exit 75) into it, and confirms it (no account to wait for).
        var installed = await UploadAsync(port, session, good, await SignAsync(good, TrustedKey));
        Assert.True(installed.Status == HttpStatusCode.OK, installed.Body);
        Assert.Equal(75, await station.RestartAsync(Wait));
        await station.Run.WaitForLineAsync("firmware update intercom-0.1.1-test-linux-x64 confirmed", Wait);
        Assert.StartsWith(Path.Combine(station.Releases, "intercom-0.1.1-test-linux-x64"), station.RunningExecutable, StringComparison.Ordinal);

        // A release whose binary exits at once (coreutils' false: an x86-64 ELF, as the archive check wants).
        var crashing = await ReleaseAsync(station, "intercom-0.1.2-crash-linux-x64", "/bin/false");
        session = await WebStation.LoginAsync(port);
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(port, session, crashing, await SignAsync(crashing, TrustedKey))).Status);
        Assert.Equal(75, await station.RestartAsync(Wait));
        Assert.Equal(1, await station.RestartAsync(Wait));

        // The launcher put the previous release back before anything of the crashing one ran again.
        await station.Run.WaitForLineAsync("ready", Wait);
        await station.Run.WaitForLineAsync(Regex.Escape("firmware update intercom-0.1.2-crash-linux-x64 failed its trial (did not start, or was not ready and registered in time): rolled back to intercom-0.1.1-test-linux-x64"), Wait);
        Assert.StartsWith(Path.Combine(station.Releases, "intercom-0.1.1-test-linux-x64"), station.RunningExecutable, StringComparison.Ordinal);
        session = await WebStation.LoginAsync(port);
        var status = await RawHttp.SendAsync(port, "GET", "/api/status", headers: WebStation.PageHeaders(session));
        var firmware = JsonDocument.Parse(status.Body).RootElement.GetProperty("firmware");
        Assert.Equal("intercom-0.1.1-test-linux-x64", firmware.GetProperty("release").GetString());
        Assert.Equal("intercom-0.1.2-crash-linux-x64", firmware.GetProperty("rolledBack").GetString());
        Assert.False(firmware.GetProperty("onTrial").GetBoolean());
    }

    [Fact]
    public async Task A_release_that_runs_but_is_not_registered_within_a_minute_is_rolled_back_to_the_package()
    {
        // The registrar is a port nothing answers on: the packaged version runs unregistered (it is not on trial); the
        // update, on trial, is never registered, so it gives up after UpdateTrial.Window and the launcher rolls it back.
        var port = FreePort.Next();
        var account = $$"""
            "accounts": [ { "id": "pbx", "aor": "sip:door@127.0.0.1", "registrar": "sip:127.0.0.1:{{FreePort.Next()}}", "username": "door",
                            "password": "door-secret-Firmware-1", "expiresSeconds": 300 } ],
            """;
        await using var station = await LaunchedStation.CreateAsync(WebStation.Config(port, extraTop: account), TrustedKey + ".pub");
        station.Start();
        await station.Run!.WaitForLineAsync("ready", Wait);
        var session = await WebStation.SetupAsync(Path.GetDirectoryName(station.ConfigPath)!, port);
        var update = await ReleaseAsync(station, "intercom-0.2.0-unregistered-linux-x64", Path.Combine(station.PackageDirectory, "intercom"));
        var installed = await UploadAsync(port, session, update, await SignAsync(update, TrustedKey));
        Assert.True(installed.Status == HttpStatusCode.OK, installed.Body);
        Assert.Equal(75, await station.RestartAsync(Wait));

        // The trial runs from the new release and gives up on its own after a minute, with the exit code that says so.
        await station.Run.WaitForLineAsync("on trial", Wait);
        Assert.StartsWith(Path.Combine(station.Releases, "intercom-0.2.0-unregistered-linux-x64"), station.RunningExecutable, StringComparison.Ordinal);
        Assert.Equal(76, await station.RestartAsync(Wait + TimeSpan.FromMinutes(1)));
        Assert.Contains(station.Log, line => line.Contains("not ready and registered within 60 s", StringComparison.Ordinal));

        await station.Run.WaitForLineAsync("ready", Wait);
        await station.Run.WaitForLineAsync(Regex.Escape("firmware update intercom-0.2.0-unregistered-linux-x64 failed its trial (did not start, or was not ready and registered in time): rolled back to the packaged version"), Wait);
        Assert.Equal(Path.Combine(station.PackageDirectory, "intercom"), station.RunningExecutable);
        session = await WebStation.LoginAsync(port);
        var status = await RawHttp.SendAsync(port, "GET", "/api/status", headers: WebStation.PageHeaders(session));
        var firmware = JsonDocument.Parse(status.Body).RootElement.GetProperty("firmware");
        Assert.Equal("intercom-0.2.0-unregistered-linux-x64", firmware.GetProperty("rolledBack").GetString());
        Assert.False(firmware.GetProperty("onTrial").GetBoolean());
    }

    private static async Task<byte[]> ReleaseAsync(LaunchedStation station, string name, string executable)
    {
        var root = Directory.CreateTempSubdirectory("intercom-release-").FullName;
        try
        {
            var release = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
            File.Copy(executable, Path.Combine(release, "intercom"));
            foreach (var library in Directory.EnumerateFiles(station.PackageDirectory, "*.so"))
            {
                File.Copy(library, Path.Combine(release, Path.GetFileName(library)));
            }

            var archive = Path.Combine(root, name + ".tar.gz");
            await Run("tar", "-C", root, "-czf", archive, name);
            return await File.ReadAllBytesAsync(archive);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // What publish.ps1 -SigningKey does: openssl's Ed25519 signature of the archive's bytes, base64.
    private static async Task<string> SignAsync(byte[] archive, string key)
    {
        var data = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(data, archive);
            await OpenSsl("pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", data, "-out", data + ".sig");
            return Convert.ToBase64String(await File.ReadAllBytesAsync(data + ".sig"));
        }
        finally
        {
            File.Delete(data);
            File.Delete(data + ".sig");
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> UploadAsync(int port, string session, byte[] archive, string signature)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { Timeout = Wait };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/api/firmware") { Content = new ByteArrayContent(archive) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        foreach (var (name, value) in WebStation.PageHeaders(session))
        {
            request.Headers.Add(name, value);
        }

        request.Headers.Add("X-Admin-Password", WebStation.AdminPassword);
        request.Headers.Add("X-Release-Signature", signature);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Task OpenSsl(params string[] arguments) => Run("openssl", arguments);

    private static async Task Run(string tool, params string[] arguments)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(Wait);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)}: {await process.StandardError.ReadToEndAsync()}");
    }
}
