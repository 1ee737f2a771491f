using System.Net;
using System.Text.RegularExpressions;
using Intercom.Web.Security;

namespace Intercom.Web.Tests;

/// <summary>
/// The physical reset on the web side (WebServer.ResetAdmin, called when the exit button was held at start): the admin
/// password, every API token and every session go; setup needs a new secret, never the one an earlier first start showed.
/// The rule that decides the gesture is tested in Intercom.Hardware.Tests (StartupHoldTests), the whole path against the
/// published binary in Intercom.Security.Tests (PhysicalResetTests).
/// </summary>
public sealed class PhysicalResetTests
{
    [Fact]
    public async Task The_reset_clears_password_tokens_and_sessions_and_setup_then_needs_a_new_secret()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var firstSecret = StationWeb.SetupSecretOf(web.Directory);
        var csrf = await StationWeb.SetupAsync(page);
        var token = await ApiTests.TokenAsync(web, page, csrf, "\"read\",\"operate\"");
        using var stream = await EventStreamReader.OpenAsync(web.NewClient(), StationWeb.Request(HttpMethod.Get, "/api/events/stream", token: token));
        await stream.WaitForAsync("status", _ => true);

        web.Web.ResetAdmin();

        var session = Json.Parse(await page.GetStringAsync("/api/session"));
        Assert.True(session.GetProperty("setupRequired").GetBoolean());
        Assert.False(session.GetProperty("authenticated").GetBoolean());
        using var open = await web.NewClient().SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/open", token: token));
        Assert.Equal(HttpStatusCode.Unauthorized, open.StatusCode);
        using var pageOpen = await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/open", csrf));
        Assert.Equal(HttpStatusCode.Unauthorized, pageOpen.StatusCode);
        await Assert.ThrowsAsync<EndOfStreamException>(() => stream.WaitForAsync("event", _ => true));
        using var login = await web.NewClient().SendAsync(StationWeb.Request(HttpMethod.Post, "/api/login", json: $"{{\"password\":\"{StationWeb.AdminPassword}\"}}"));
        Assert.Equal(HttpStatusCode.Conflict, login.StatusCode);
        Assert.False(web.App.Board.IsRelayEnergised("door"));

        // A new secret, logged like a first start's and kept 0600; the old one (seen at the first start) sets nothing.
        var secret = StationWeb.SetupSecretOf(web.Directory);
        Assert.NotEqual(firstSecret, secret);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(web.Directory, SetupSecret.FileName)));
        Assert.Contains(web.Logs.Lines, l => l.Contains("PHYSICAL RESET", StringComparison.Ordinal));
        Assert.Contains(web.Logs.Lines, l => l.Contains("FIRST START", StringComparison.Ordinal) && l.Contains(secret, StringComparison.Ordinal));
        using var old = await web.NewClient().SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: $"{{\"password\":\"new password 1\",\"setupSecret\":\"{firstSecret}\"}}"));
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);

        using var owner = web.NewClient();
        await StationWeb.SetupAsync(owner);
        Assert.False(File.Exists(Path.Combine(web.Directory, SetupSecret.FileName)));
        await StationWeb.LoginAsync(web.NewClient());
        Assert.Empty(Json.Parse(await owner.GetStringAsync("/api/tokens")).GetProperty("tokens").EnumerateArray());
        web.AssertNoSecretLeaked();
    }

    [Fact]
    public async Task A_web_state_file_that_cannot_be_read_is_replaced_by_the_reset()
    {
        await using var web = await StationWeb.StartAsync();
        var path = Path.Combine(web.Directory, "web-state.json");
        await File.WriteAllTextAsync(path, "{ not json");
        var state = new WebStateStore(path, TimeProvider.System);
        Assert.NotNull(state.LoadError);
        Assert.False(state.SetupRequired);

        state.ResetAdmin();

        Assert.Null(state.LoadError);
        Assert.True(state.SetupRequired);
        Assert.True(new WebStateStore(path, TimeProvider.System).SetupRequired);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task With_the_page_not_running_the_reset_clears_the_state_file_and_removes_the_old_secret()
    {
        var directory = Directory.CreateTempSubdirectory("intercom-reset-").FullName;
        try
        {
            var state = new WebStateStore(Path.Combine(directory, "web-state.json"), TimeProvider.System);
            Assert.True(state.TrySetInitialPassword(StationWeb.AdminPassword));
            Assert.NotNull(state.CreateToken("ha", ["read"]));
            await File.WriteAllTextAsync(Path.Combine(directory, SetupSecret.FileName), "AAAA-BBBB-CCCC-DDDD-EEEE\n");

            WebServer.ResetAdmin(directory, TimeProvider.System);

            var after = new WebStateStore(Path.Combine(directory, "web-state.json"), TimeProvider.System);
            Assert.True(after.SetupRequired);
            Assert.False(after.VerifyPassword(StationWeb.AdminPassword));
            Assert.Empty(after.Tokens());
            Assert.False(File.Exists(Path.Combine(directory, SetupSecret.FileName)));
            Assert.Matches(new Regex(@"^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$"), SetupSecret.LoadOrCreate(directory).Text);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
