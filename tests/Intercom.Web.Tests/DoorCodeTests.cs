using System.Net;
using System.Text.Json.Nodes;
using Intercom.Configuration;

namespace Intercom.Web.Tests;

/// <summary>
/// Door codes are write-only through the API, like passwords: sent as null with "set", kept by entry id when a PUT leaves
/// them out, never moved onto another entry by reordering or deleting.
/// </summary>
public sealed class DoorCodeTests
{
    private const string GateCode = "B4D2C6A8";
    private const string NewCode = "C1A2B3D4";

    private static Task<StationWeb> StartWithTwoCodesAsync() => StationWeb.StartAsync(c =>
        c.Station.Codes.Add(new Station.Configuration.CodeConfig { Id = "gate", Code = GateCode, Relay = "gate" }));

    // Code changes come from the logged-in page with the admin password re-entered (DoorCodeAccessTests).
    internal static async Task<HttpResponseMessage> PutAsync(HttpClient page, string csrf, JsonNode config, string? password = StationWeb.AdminPassword)
    {
        var request = StationWeb.Request(HttpMethod.Put, "/api/config", csrf, config.ToJsonString());
        if (password is not null)
        {
            request.Headers.Add("X-Admin-Password", password);
        }

        return await page.SendAsync(request);
    }

    private static IntercomConfig OnDisk(StationWeb web)
    {
        Assert.True(ConfigLoader.TryLoad(web.Store.Path, out var config, out var errors), string.Join("\n", errors));
        return config!;
    }

    [Fact]
    public async Task Codes_are_returned_without_their_digits_but_with_their_id_and_whether_one_is_set()
    {
        await using var web = await StartWithTwoCodesAsync();
        using var client = web.NewClient();
        var csrf = await StationWeb.SetupAsync(client);

        var text = await client.GetStringAsync("/api/config");

        var codes = JsonNode.Parse(text)!["station"]!["codes"]!.AsArray();
        Assert.Equal(["code1", "gate"], codes.Select(c => (string?)c!["id"]));
        Assert.All(codes, c => Assert.Null(c!["code"]));
        Assert.All(codes, c => Assert.True((bool)c!["set"]!));
        Assert.Equal(["door", "gate"], codes.Select(c => (string?)c!["relay"]));
        Assert.DoesNotContain(StationWeb.DoorCode, text, StringComparison.Ordinal);
        Assert.DoesNotContain(GateCode, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reordering_and_changing_entries_without_their_codes_keeps_each_code_with_its_entry()
    {
        await using var web = await StartWithTwoCodesAsync();
        using var client = web.NewClient();
        var csrf = await StationWeb.SetupAsync(client);
        var config = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;
        var codes = config["station"]!["codes"]!.AsArray();
        var first = codes[0]!;
        codes.RemoveAt(0);
        codes.Add(first);
        codes[0]!["relay"] = "light";

        using var put = await PutAsync(client, csrf, config);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = OnDisk(web).Station.Codes;
        Assert.Equal(["gate", "code1"], saved.Select(c => c.Id));
        Assert.Equal([GateCode, StationWeb.DoorCode], saved.Select(c => c.Code));
        Assert.Equal(["light", "door"], saved.Select(c => c.Relay));
    }

    [Fact]
    public async Task Deleting_an_entry_does_not_move_its_neighbours_code_and_a_new_entry_brings_its_own()
    {
        await using var web = await StartWithTwoCodesAsync();
        using var client = web.NewClient();
        var csrf = await StationWeb.SetupAsync(client);
        var config = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;
        var codes = config["station"]!["codes"]!.AsArray();
        codes.RemoveAt(0);
        codes.Add(new JsonObject { ["id"] = "postman", ["code"] = NewCode, ["relay"] = "door" });
        codes.Add(new JsonObject { ["code"] = "7777", ["relay"] = "light" });

        using var put = await PutAsync(client, csrf, config);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = OnDisk(web).Station.Codes;
        Assert.Equal(["gate", "postman", "code3"], saved.Select(c => c.Id));
        Assert.Equal([GateCode, NewCode, "7777"], saved.Select(c => c.Code));
        Assert.DoesNotContain(await File.ReadAllTextAsync(web.Store.Path), StationWeb.DoorCode, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_typed_code_replaces_the_stored_one_and_an_empty_one_keeps_it()
    {
        await using var web = await StartWithTwoCodesAsync();
        using var client = web.NewClient();
        var csrf = await StationWeb.SetupAsync(client);
        var config = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;
        config["station"]!["codes"]![0]!["code"] = NewCode;
        config["station"]!["codes"]![1]!["code"] = "";

        using var put = await PutAsync(client, csrf, config);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal([NewCode, GateCode], OnDisk(web).Station.Codes.Select(c => c.Code));
    }

    [Theory]
    [InlineData("""{ "id": "stranger", "code": null, "set": true, "relay": "door" }""")]
    [InlineData("""{ "relay": "door" }""")]
    public async Task An_entry_the_station_does_not_know_is_refused_without_its_code(string entry)
    {
        await using var web = await StartWithTwoCodesAsync();
        using var client = web.NewClient();
        var csrf = await StationWeb.SetupAsync(client);
        var before = await File.ReadAllTextAsync(web.Store.Path);
        var config = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;
        config["station"]!["codes"]!.AsArray().Insert(0, JsonNode.Parse(entry));

        using var put = await PutAsync(client, csrf, config);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var error = Assert.Single(Json.Parse(await put.Content.ReadAsStringAsync()).GetProperty("errors").EnumerateArray());
        Assert.Equal("station.codes[0].code", error.GetProperty("field").GetString());
        Assert.StartsWith("is required", error.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(web.Store.Path));
        web.AssertNoSecretLeaked();
    }

    [Fact]
    public async Task A_refused_code_change_never_echoes_a_code_nor_says_which_entry_it_clashes_with()
    {
        await using var web = await StartWithTwoCodesAsync();
        using var client = web.NewClient();
        var csrf = await StationWeb.SetupAsync(client);
        var config = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;
        config["station"]!["codes"]![1]!["code"] = StationWeb.DoorCode[..5];

        using var put = await PutAsync(client, csrf, config);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var body = await put.Content.ReadAsStringAsync();
        // Before: "station.codes[1].code: one of this and station.codes[0].code begins with the other".
        var error = Assert.Single(Json.Parse(body).GetProperty("errors").EnumerateArray());
        Assert.Equal("station.codes", error.GetProperty("field").GetString());
        Assert.DoesNotContain("[", error.GetProperty("reason").GetString()!, StringComparison.Ordinal);
        Assert.DoesNotContain(StationWeb.DoorCode[..5], body, StringComparison.Ordinal);
        web.AssertNoSecretLeaked();
    }
}
