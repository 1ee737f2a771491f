using System.Text.Json;
using System.Text.RegularExpressions;
using Intercom.Interop.Tests.Peers;
using Intercom.Interop.Tests.Ship;

namespace Intercom.Security.Tests.Web;

/// <summary>
/// The physical reset against the published binary, restarted on the same directory as a power cycle would: the exit
/// button held from the start for 10 s and then let go clears the admin password, its sessions and the API tokens, and
/// setup then needs a new setup secret; let go sooner, or never let go (a stuck button, a shorted wire), nothing is reset.
/// The simulated board holds the button from the start (`--simulate-held exit[:SECONDS]`, refused without --simulate);
/// in no case is the door relay energised.
/// </summary>
public sealed class PhysicalResetTests
{
    private static readonly TimeSpan Decided = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Held_from_the_start_for_ten_seconds_then_let_go_clears_password_and_tokens_and_setup_needs_the_new_secret()
    {
        var (station, port) = await OwnedStationAsync();
        await using var _ = station;
        var token = await TokenAsync(port);
        await station.StopAsync();

        await station.StartAsync("--simulate-held", "exit:12");
        // Held, not yet let go: nothing has changed.
        var during = await RawHttp.SendAsync(port, "GET", "/api/session");
        Assert.False(JsonDocument.Parse(during.Body).RootElement.GetProperty("setupRequired").GetBoolean());
        await station.WaitForLineAsync("physical reset: armed", Decided);
        await station.WaitForLineAsync("PHYSICAL RESET", Decided);
        var logged = Regex.Match(await station.WaitForLineAsync("Setup secret", Decided), "Setup secret: ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){4})").Groups[1].Value;

        var login = await RawHttp.SendAsync(port, "POST", "/api/login", $"{{\"password\":\"{WebStation.AdminPassword}\"}}");
        var withToken = await RawHttp.SendAsync(port, "GET", "/api/status", headers: Bearer(token));
        var oldSecret = await RawHttp.SendAsync(port, "POST", "/api/setup", $"{{\"password\":\"attacker password\",\"setupSecret\":\"{station.FirstSecret}\"}}");
        var session = await RawHttp.SendAsync(port, "GET", "/api/session");

        Assert.Equal(409, login.Status); // "no admin password yet": the old password opens nothing
        Assert.Equal(401, withToken.Status);
        Assert.Equal(401, oldSecret.Status);
        Assert.True(JsonDocument.Parse(session.Body).RootElement.GetProperty("setupRequired").GetBoolean());
        Assert.NotEqual(station.FirstSecret, logged);
        Assert.Equal(logged, (await File.ReadAllTextAsync(station.SetupSecretFile)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(station.SetupSecretFile));

        await WebStation.SetupAsync(station.Directory, port);
        Assert.Equal(200, (await RawHttp.SendAsync(port, "POST", "/api/login", $"{{\"password\":\"{WebStation.AdminPassword}\"}}")).Status);
        Assert.Equal(0, station.DoorOpenings);
        Assert.Equal(0, station.Count("exit button: door"));
    }

    [Fact]
    public async Task Let_go_before_ten_seconds_nothing_is_reset()
    {
        var (station, port) = await OwnedStationAsync();
        await using var _ = station;
        var token = await TokenAsync(port);
        await station.StopAsync();

        await station.StartAsync("--simulate-held", "exit:4");
        await station.WaitForLineAsync("let go before 10 s; nothing reset", Decided);

        Assert.Equal(200, (await RawHttp.SendAsync(port, "POST", "/api/login", $"{{\"password\":\"{WebStation.AdminPassword}\"}}")).Status);
        Assert.Equal(200, (await RawHttp.SendAsync(port, "GET", "/api/status", headers: Bearer(token))).Status);
        Assert.Equal(0, station.Count("PHYSICAL RESET|armed"));
        Assert.False(File.Exists(station.SetupSecretFile));
        Assert.Equal(0, station.DoorOpenings);
    }

    [Fact]
    public async Task A_button_never_let_go_is_taken_for_a_stuck_one_and_resets_nothing()
    {
        var (station, port) = await OwnedStationAsync();
        await using var _ = station;
        await station.StopAsync();

        await station.StartAsync("--simulate-held", "exit");
        await station.WaitForLineAsync("physical reset: armed", Decided);
        await station.WaitForLineAsync("taken for a stuck button or a shorted wire", TimeSpan.FromSeconds(90));

        Assert.Equal(200, (await RawHttp.SendAsync(port, "POST", "/api/login", $"{{\"password\":\"{WebStation.AdminPassword}\"}}")).Status);
        Assert.Equal(0, station.Count("PHYSICAL RESET"));
        Assert.Equal(0, station.DoorOpenings);
    }

    [Fact]
    public async Task The_held_input_is_refused_on_a_real_station()
    {
        var (exitCode, output) = await PublishedStation.RunAsync(
            await PublishedStation.BinaryFor(PublishedStation.HostRid),
            ["run", "--config", "/nonexistent.json", "--simulate-held", "exit:12"], TimeSpan.FromSeconds(30));

        Assert.Equal(2, exitCode);
        Assert.Contains("--simulate-held holds an input of the simulated board: it needs `run --simulate`", output, StringComparison.Ordinal);
    }

    // A station whose owner has set the admin password (first run, then stopped by the caller).
    private static async Task<(RestartedStation Station, int Port)> OwnedStationAsync()
    {
        var port = FreePort.Next();
        var station = await RestartedStation.CreateAsync(WebStation.Config(port));
        try
        {
            await station.StartAsync();
            station.FirstSecret = (await File.ReadAllTextAsync(station.SetupSecretFile)).Trim();
            await WebStation.SetupAsync(station.Directory, port);
            return (station, port);
        }
        catch
        {
            await station.DisposeAsync();
            throw;
        }
    }

    // An API token (read, operate) made on the logged-in page.
    private static async Task<string> TokenAsync(int port)
    {
        var page = await WebStation.LoginAsync(port);
        var created = await RawHttp.SendAsync(port, "POST", "/api/tokens", """{"name":"home automation","scopes":["read","operate"]}""", WebStation.PageHeaders(page));
        Assert.True(created.Status == 201, $"token: {created.Status} {created.Body}");
        var token = JsonDocument.Parse(created.Body).RootElement.GetProperty("token").GetString()!;
        Assert.Equal(200, (await RawHttp.SendAsync(port, "GET", "/api/status", headers: Bearer(token))).Status);
        return token;
    }

    private static Dictionary<string, string> Bearer(string token) => new() { ["Authorization"] = "Bearer " + token };
}
