using System.Net;
using System.Text.RegularExpressions;

namespace Intercom.Web.Tests;

/// <summary>
/// A first start that belongs to the owner: setting the first admin password needs the one-time setup secret the station
/// made at start, logged once and kept in a 0600 file beside the configuration; guessing it counts like a wrong password.
/// </summary>
public sealed class SetupSecretTests
{
    [Fact]
    public async Task Setup_needs_the_secret_from_the_log_and_the_file_which_goes_once_the_password_is_set()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var path = Path.Combine(web.Directory, "web-setup-secret");
        var secret = StationWeb.SetupSecretOf(web.Directory);
        Assert.Matches(@"^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$", secret);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var logged = Assert.Single(web.Logs.Lines, l => l.Contains("FIRST START", StringComparison.Ordinal));
        Assert.Contains(secret, logged, StringComparison.Ordinal);
        Assert.Contains(path, logged, StringComparison.Ordinal);

        using var without = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: $"{{\"password\":\"{StationWeb.AdminPassword}\"}}"));
        using var wrong = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: $"{{\"password\":\"{StationWeb.AdminPassword}\",\"setupSecret\":\"AAAA-BBBB-CCCC-DDDD-EEEE\"}}"));
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.True(Json.Parse(await client.GetStringAsync("/api/session")).GetProperty("setupRequired").GetBoolean());

        // Typed in lower case with spaces: still the secret.
        var typed = secret.ToLowerInvariant().Replace('-', ' ');
        using var right = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: $"{{\"password\":\"{StationWeb.AdminPassword}\",\"setupSecret\":\"{typed}\"}}"));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.False(File.Exists(path));
        Assert.DoesNotContain(web.Responses, r => r.Body.Contains(secret, StringComparison.Ordinal));
        web.AssertNoSecretLeaked();
    }

    [Fact]
    public async Task Guessing_the_secret_is_throttled_like_a_password()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 6; i++)
        {
            using var guess = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: $"{{\"password\":\"{StationWeb.AdminPassword}\",\"setupSecret\":\"GUESS-{i}\"}}"));
            statuses.Add(guess.StatusCode);
        }

        using var rightButLocked = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: StationWeb.SetupBody(web.Address)));

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightButLocked.StatusCode);
        Assert.Equal(5, web.Logs.Lines.Count(l => Regex.IsMatch(l, "wrong setup secret from 127.0.0.1")));
        web.Time.Advance(TimeSpan.FromSeconds(31));
        await StationWeb.SetupAsync(client);
    }

    [Fact]
    public void A_station_restarted_before_setup_keeps_its_secret_and_each_station_makes_its_own()
    {
        var directory = Directory.CreateTempSubdirectory("intercom-setup-").FullName;
        var other = Directory.CreateTempSubdirectory("intercom-setup-").FullName;
        try
        {
            var first = Security.SetupSecret.LoadOrCreate(directory);
            var restarted = Security.SetupSecret.LoadOrCreate(directory);
            var elsewhere = Security.SetupSecret.LoadOrCreate(other);

            Assert.Equal(first.Text, restarted.Text);
            Assert.NotEqual(first.Text, elsewhere.Text);
            Assert.True(restarted.Matches(first.Text));
            Assert.False(restarted.Matches(elsewhere.Text));
            Assert.False(restarted.Matches(""));
            Assert.False(restarted.Matches(null));
        }
        finally
        {
            Directory.Delete(directory, true);
            Directory.Delete(other, true);
        }
    }
}
