using System.Net;
using System.Text.Json.Nodes;
using Intercom.Configuration;

namespace Intercom.Web.Tests;

/// <summary>
/// Door codes out of reach of the API (issue: codes read back through validation errors): code changes only from the
/// logged-in page with the admin password re-entered, at most 64 entries of each kind, no error that names or locates a
/// stored code, and refused changes logged and throttled like wrong passwords.
/// </summary>
public sealed class DoorCodeAccessTests
{
    private static IntercomConfig OnDisk(StationWeb web)
    {
        Assert.True(ConfigLoader.TryLoad(web.Store.Path, out var config, out var errors), string.Join("\n", errors));
        return config!;
    }

    private static JsonObject Code(string id, string code) => new() { ["id"] = id, ["code"] = code, ["relay"] = "door" };

    [Fact]
    public async Task A_token_with_the_configure_scope_cannot_change_a_code_but_can_change_the_rest()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await ApiTests.TokenAsync(web, client);
        var config = JsonNode.Parse(await client.GetStringAsyncWith("/api/config", token))!;
        config["station"]!["codes"]!.AsArray().Add(Code("burglar", "12345678"));

        using var put = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: config.ToJsonString(), token: token));

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Contains("only from the logged-in page", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["code1"], OnDisk(web).Station.Codes.Select(c => c.Id));
        Assert.Contains(web.Logs.Lines, l => l.Contains("configuration change by API token 'test' from", StringComparison.Ordinal) && l.Contains("refused", StringComparison.Ordinal));

        config["station"]!["codes"]!.AsArray().RemoveAt(1);
        config["name"] = "Renamed by token";
        using var rename = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: config.ToJsonString(), token: token));
        Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
        Assert.Equal(StationWeb.DoorCode, OnDisk(web).Station.Codes[0].Code);
    }

    [Fact]
    public async Task The_page_changes_a_code_only_with_the_admin_password_re_entered()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        var config = JsonNode.Parse(await page.GetStringAsync("/api/config"))!;
        config["station"]!["codes"]![0]!["code"] = "D4C3B2A1";

        using var without = await DoorCodeTests.PutAsync(page, csrf, config, password: null);
        using var wrong = await DoorCodeTests.PutAsync(page, csrf, config, password: "not the password");
        Assert.Equal(StationWeb.DoorCode, OnDisk(web).Station.Codes[0].Code);
        using var right = await DoorCodeTests.PutAsync(page, csrf, config);

        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        Assert.True(Json.Parse(await without.Content.ReadAsStringAsync()).GetProperty("passwordRequired").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains(web.Logs.Lines, l => l.Contains("web: wrong password from", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("D4C3B2A1", OnDisk(web).Station.Codes[0].Code);
        web.AssertNoSecretLeaked();
    }

    [Fact]
    public async Task Probe_codes_beside_the_stored_one_never_tell_which_probe_is_the_code()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        var config = JsonNode.Parse(await page.GetStringAsync("/api/config"))!;
        var codes = config["station"]!["codes"]!.AsArray();
        // 62 probes; the door code itself is probe 41, and a prefix of it is probe 17.
        for (var i = 0; i < 62; i++)
        {
            var probe = i switch
            {
                41 => StationWeb.DoorCode,
                17 => StationWeb.DoorCode[..6],
                _ => $"9{i:D4}#",
            };
            codes.Add(Code($"probe{i}", probe));
        }

        using var put = await DoorCodeTests.PutAsync(page, csrf, config);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var body = await put.Content.ReadAsStringAsync();
        var error = Assert.Single(Json.Parse(body).GetProperty("errors").EnumerateArray());
        Assert.Equal("station.codes", error.GetProperty("field").GetString());
        Assert.DoesNotContain("codes[", body, StringComparison.Ordinal);
        Assert.DoesNotContain("probe", body, StringComparison.Ordinal);
        Assert.DoesNotContain("41", body, StringComparison.Ordinal);
        Assert.DoesNotContain("17", body, StringComparison.Ordinal);
        Assert.Equal(["code1"], OnDisk(web).Station.Codes.Select(c => c.Id));
        web.AssertNoSecretLeaked();
    }

    [Fact]
    public async Task A_keypad_key_change_does_not_tell_whether_a_stored_keypad_code_contains_that_key()
    {
        await using var web = await StationWeb.StartAsync(c =>
        {
            c.Station.Board.Keypad = new Station.Configuration.KeypadWiringConfig();
            c.Station.Keypad.LocalCodes = [new Station.Configuration.CodeConfig { Id = "cleaner", Code = StationWeb.KeypadCode, Relay = "door" }];
        });
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        var config = JsonNode.Parse(await page.GetStringAsync("/api/config"))!;
        config["station"]!["keypad"]!["callKey"] = StationWeb.KeypadCode[..1];

        using var put = await DoorCodeTests.PutAsync(page, csrf, config);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var body = await put.Content.ReadAsStringAsync();
        Assert.DoesNotContain("localCodes[", body, StringComparison.Ordinal);
        Assert.Contains(Json.Parse(body).GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "station.codes");
    }

    [Theory]
    [InlineData("codes")]
    [InlineData("localCodes")]
    public async Task At_most_64_code_entries_of_each_kind(string list)
    {
        await using var web = await StationWeb.StartAsync(c => c.Station.Board.Keypad = new Station.Configuration.KeypadWiringConfig());
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        var config = JsonNode.Parse(await page.GetStringAsync("/api/config"))!;
        var entries = list == "codes" ? config["station"]!["codes"]!.AsArray() : config["station"]!["keypad"]!["localCodes"]!.AsArray();
        while (entries.Count < 65)
        {
            entries.Add(Code($"e{entries.Count}", $"{entries.Count + 10:D2}99#"));
        }

        using var put = await DoorCodeTests.PutAsync(page, csrf, config);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var error = Assert.Single(Json.Parse(await put.Content.ReadAsStringAsync()).GetProperty("errors").EnumerateArray());
        Assert.Equal(list == "codes" ? "station.codes" : "station.keypad.localCodes", error.GetProperty("field").GetString());
        Assert.Equal("at most 64 entries", error.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Refused_changes_are_logged_and_throttled_like_wrong_passwords()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        var config = JsonNode.Parse(await page.GetStringAsync("/api/config"))!;
        config["station"]!["buttons"]![0]!["ringGroup"] = "nobody";
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 7; i++)
        {
            using var put = await DoorCodeTests.PutAsync(page, csrf, config);
            statuses.Add(put.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(5, web.Logs.Lines.Count(l => l.Contains("configuration change by web page from 127.0.0.1 refused: 1 field error(s)", StringComparison.Ordinal)));

        // The wait passes; a good change is accepted and clears the count.
        web.Time.Advance(TimeSpan.FromSeconds(31));
        config["station"]!["buttons"]![0]!["ringGroup"] = "concierge";
        using var good = await DoorCodeTests.PutAsync(page, csrf, config);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }
}
