using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intercom.Configuration;
using Intercom.Station.Configuration;
using Intercom.Station;

namespace Intercom.Web.Tests;

/// <summary>Each endpoint under /api/ against the running station, with an API token as home automation would use it.</summary>
public sealed class ApiTests
{
    [Fact]
    public async Task Status_shows_the_call_state_accounts_relays_inputs_and_buttons()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);

        using var response = await client.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/status", token: token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = Json.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Test door", status.GetProperty("name").GetString());
        Assert.Equal("Idle", status.GetProperty("callState").GetString());
        var account = Assert.Single(status.GetProperty("accounts").EnumerateArray());
        Assert.Equal("pbx", account.GetProperty("id").GetString());
        Assert.Equal("NotRegistering", account.GetProperty("registration").GetString());
        Assert.Equal(["door", "gate", "light"], status.GetProperty("relays").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.False(status.GetProperty("inputs").GetProperty("doorOpen").GetBoolean());
        Assert.Equal("button1", Assert.Single(status.GetProperty("buttons").EnumerateArray()).GetString());
        Assert.True(status.GetProperty("simulated").GetBoolean());
        web.AssertNoSecretLeaked();
    }

    [Fact]
    public async Task Open_a_relay_pulses_it_and_an_unknown_relay_is_404()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);
        var energised = web.RelayEnergised("gate");

        using var open = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/gate/open", token: token));
        using var unknown = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/garage/open", token: token));

        Assert.Equal(HttpStatusCode.Accepted, open.StatusCode);
        await energised.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains(web.App.Station.Events.Snapshot(), e => e.Message == "gate opened by API token 'test'");
    }

    [Fact]
    public async Task Hold_keeps_a_hold_relay_open_shown_as_a_hold_until_release_and_a_pulse_relay_is_409()
    {
        await using var web = await StationWeb.StartAsync(c => c.Station.Relays.First(r => r.Id == "door").Mode = RelayMode.Hold);
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);
        using var stream = await EventStreamReader.OpenAsync(client, StationWeb.Request(HttpMethod.Get, "/api/events/stream", token: token));

        using var hold = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/hold", token: token));
        Assert.Equal(HttpStatusCode.Accepted, hold.StatusCode);
        Assert.Equal("relay door held open until released", Json.Parse(await hold.Content.ReadAsStringAsync()).GetProperty("result").GetString());
        var held = await stream.WaitForAsync("status", s => s.GetProperty("relays")[0].GetProperty("held").GetBoolean());
        var door = held.GetProperty("relays")[0];
        Assert.True(door.GetProperty("canHold").GetBoolean());
        Assert.True(door.GetProperty("energised").GetBoolean());
        Assert.Equal("API token 'test'", door.GetProperty("heldBy").GetString());
        Assert.Equal(JsonValueKind.Null, door.GetProperty("heldUntil").ValueKind);
        Assert.False(held.GetProperty("relays")[1].GetProperty("canHold").GetBoolean());
        Assert.Contains(web.App.Station.Events.Snapshot(), e => e.Message == "door held open by API token 'test'");

        using var release = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/release", token: token));
        Assert.Equal(HttpStatusCode.Accepted, release.StatusCode);
        await stream.WaitForAsync("status", s => !s.GetProperty("relays")[0].GetProperty("energised").GetBoolean());
        Assert.False(web.App.Board.IsRelayHeld("door"));

        using var timed = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/hold", json: "{\"minutes\":30}", token: token));
        Assert.Equal(HttpStatusCode.Accepted, timed.StatusCode);
        var until = await stream.WaitForAsync("status", s => s.GetProperty("relays")[0].GetProperty("heldUntil").ValueKind == JsonValueKind.String);
        Assert.InRange(until.GetProperty("relays")[0].GetProperty("heldUntil").GetDateTimeOffset() - DateTimeOffset.UtcNow,
            TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));

        using var gate = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/gate/hold", token: token));
        using var garage = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/garage/hold", token: token));
        using var tooLong = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/hold", json: "{\"minutes\":1441}", token: token));
        using var releaseGarage = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/garage/release", token: token));
        Assert.Equal(HttpStatusCode.Conflict, gate.StatusCode);
        Assert.Contains("only pulses", await gate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, garage.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, releaseGarage.StatusCode);
        Assert.False(web.App.Board.IsRelayEnergised("gate"));
    }

    [Fact]
    public async Task Hold_and_release_need_the_operate_scope()
    {
        await using var web = await StationWeb.StartAsync(c => c.Station.Relays.First(r => r.Id == "door").Mode = RelayMode.Hold);
        using var client = web.NewClient();
        var token = await TokenAsync(web, client, scopes: "\"read\"");

        using var hold = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/hold", token: token));
        using var release = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/release", token: token));

        Assert.Equal(HttpStatusCode.Forbidden, hold.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, release.StatusCode);
        Assert.False(web.App.Board.IsRelayEnergised("door"));
    }

    [Fact]
    public async Task Call_rings_the_target_and_hangup_ends_the_call()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);
        using var stream = await EventStreamReader.OpenAsync(client, StationWeb.Request(HttpMethod.Get, "/api/events/stream", token: token));

        using var call = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/call", json: "{\"target\":\"concierge\"}", token: token));
        Assert.Equal(HttpStatusCode.Accepted, call.StatusCode);
        var ringing = await web.Concierge.NextCallAsync();
        web.Concierge.Answer(ringing);
        await stream.WaitForAsync("status", s => s.GetProperty("callState").GetString() == "InCall");

        using var hangup = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/hangup", token: token));
        Assert.Equal(HttpStatusCode.Accepted, hangup.StatusCode);
        await stream.WaitForAsync("status", s => s.GetProperty("callState").GetString() == "Idle");

        using var empty = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/call", json: "{\"target\":\"\"}", token: token));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        using var form = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/call")
        {
            Content = new FormUrlEncodedContent([new("target", "concierge")]),
            Headers = { Authorization = new("Bearer", token) },
        });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
    }

    [Fact]
    public async Task Config_is_returned_without_passwords_and_a_put_without_them_keeps_them()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);

        var text = await (await client.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/config", token: token))).Content.ReadAsStringAsync();
        var config = JsonNode.Parse(text)!;
        Assert.Null(config["accounts"]![0]!["password"]);
        config["station"]!["buttons"]![0]!["ringGroup"] = "concierge";

        using var put = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: config.ToJsonString(), token: token));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = Json.Parse(await put.Content.ReadAsStringAsync());
        Assert.Equal(["station"], saved.GetProperty("applied").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(saved.GetProperty("restartRequired").EnumerateArray());
        Assert.True(ConfigLoader.TryLoad(web.Store.Path, out var onDisk, out _));
        Assert.Equal(StationWeb.SipPassword, onDisk!.Accounts[0].Password);
        Assert.Equal("concierge", onDisk.Station.Buttons[0].RingGroup);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(web.Store.Path));

        // In effect at once: the button now rings the concierge.
        web.App.SimulatedBoard!.PressButton("button1");
        await web.Concierge.NextCallAsync();
        Assert.False(web.Resident.HasCall);
        web.AssertNoSecretLeaked();
    }

    [Fact]
    public async Task A_refused_config_names_the_field_and_changes_nothing()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);
        var before = await File.ReadAllTextAsync(web.Store.Path);
        var config = JsonNode.Parse(await client.GetStringAsyncWith("/api/config", token))!;
        config["station"]!["buttons"]![0]!["ringGroup"] = "nobody";

        using var put = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: config.ToJsonString(), token: token));
        using var garbage = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: "{\"sip\": [1,2", token: token));
        using var unknownField = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: "{\"nmae\":\"x\"}", token: token));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var error = Assert.Single(Json.Parse(await put.Content.ReadAsStringAsync()).GetProperty("errors").EnumerateArray());
        Assert.Equal("station.buttons[0].ringGroup", error.GetProperty("field").GetString());
        Assert.Contains("nobody", error.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.Equal("nmae", Json.Parse(await unknownField.Content.ReadAsStringAsync()).GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(before, await File.ReadAllTextAsync(web.Store.Path));
        web.App.SimulatedBoard!.PressButton("button1");
        await web.Resident.NextCallAsync();
    }

    [Fact]
    public async Task Account_changes_are_applied_live_and_an_empty_password_removes_it()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);
        var config = JsonNode.Parse(await client.GetStringAsyncWith("/api/config", token))!;
        config["accounts"]![0]!["password"] = "";
        config["accounts"]![0]!["username"] = null;
        config["accounts"]![0]!["displayName"] = "Front door";

        using var put = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: config.ToJsonString(), token: token));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = Json.Parse(await put.Content.ReadAsStringAsync());
        Assert.Equal(["accounts"], saved.GetProperty("applied").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(saved.GetProperty("restartRequired").EnumerateArray());
        Assert.True(ConfigLoader.TryLoad(web.Store.Path, out var onDisk, out _));
        Assert.Null(onDisk!.Accounts[0].Password);
        // The next call's identity is the changed account.
        Assert.Equal("Front door", web.App.Calls.Account.Identity.DisplayName);
        Assert.Null(web.App.Calls.Account.Authorize);
        var status = Json.Parse(await client.GetStringAsyncWith("/api/status", token));
        Assert.Empty(status.GetProperty("restartRequired").EnumerateArray());
    }

    [Fact]
    public async Task Media_audio_and_name_apply_live_and_only_start_time_wiring_waits_for_a_restart()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);
        var config = JsonNode.Parse(await client.GetStringAsyncWith("/api/config", token))!;
        config["name"] = "Side gate";
        config["media"]!["codecs"] = new JsonArray("pcma", "pcmu");
        config["audio"]!["speakerVolumeDb"] = -6.0;
        config["sip"]!["timers"]!["t1Ms"] = 1000;
        config["station"]!["eventLog"]!["persistCount"] = 123;

        using var put = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: config.ToJsonString(), token: token));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = Json.Parse(await put.Content.ReadAsStringAsync());
        Assert.Equal(["name", "media", "audio"], saved.GetProperty("applied").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["sip.timers", "station.eventLog"], saved.GetProperty("restartRequired").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Side gate", web.App.Calls.Account.Identity.DisplayName);
        Assert.Equal(-6.0, web.App.Audio.Engine.SpeakerVolumeDb);

        // Putting the start-time values back clears the restart list.
        config["sip"]!["timers"]!["t1Ms"] = 500;
        config["station"]!["eventLog"]!["persistCount"] = web.App.Config.Station.EventLog.PersistCount;
        using var back = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: config.ToJsonString(), token: token));
        Assert.Empty(Json.Parse(await back.Content.ReadAsStringAsync()).GetProperty("restartRequired").EnumerateArray());
    }
    [Fact]
    public async Task Integration_sections_are_handed_to_the_integrations_and_applied_live()
    {
        var handed = new List<IntercomConfig>();
        await using var web = await StationWeb.StartAsync(reconfigureIntegrations: c =>
        {
            handed.Add(c);
            return Task.FromResult<IReadOnlyList<string>>(c.Mqtt.Host == "broker.lan" ? ["mqtt"] : []);
        });
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);
        var config = JsonNode.Parse(await client.GetStringAsyncWith("/api/config", token))!;
        config["mqtt"]!["host"] = "broker.lan";

        using var put = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: config.ToJsonString(), token: token));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = Json.Parse(await put.Content.ReadAsStringAsync());
        Assert.Equal(["mqtt"], saved.GetProperty("applied").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(saved.GetProperty("restartRequired").EnumerateArray());
        Assert.Equal("broker.lan", Assert.Single(handed).Mqtt.Host);
    }

    [Fact]
    public async Task Events_are_listed_after_a_sequence_number_and_streamed_live()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);
        using var stream = await EventStreamReader.OpenAsync(client, StationWeb.Request(HttpMethod.Get, "/api/events/stream", token: token));
        await stream.WaitForAsync("status", s => s.GetProperty("callState").GetString() == "Idle");

        await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/light/open", token: token));
        var streamed = await stream.WaitForAsync("event", e => e.GetProperty("message").GetString() == "light opened by API token 'test'");
        await stream.WaitForAsync("status", s => s.GetProperty("relays").EnumerateArray().Any(r => r.GetProperty("id").GetString() == "light" && r.GetProperty("energised").GetBoolean()));

        var sequence = streamed.GetProperty("sequence").GetInt64();
        Assert.Equal("Relay", streamed.GetProperty("kind").GetString());

        // The typed event the line was written from: ids to read instead of the message's wording.
        var detail = streamed.GetProperty("detail");
        Assert.Equal("relay_open_requested", detail.GetProperty("type").GetString());
        Assert.Equal("light", detail.GetProperty("relayId").GetString());
        Assert.Equal("API token 'test'", detail.GetProperty("requestedBy").GetString());
        Assert.True(detail.GetProperty("opened").GetBoolean());
        var all = Json.Parse(await client.GetStringAsyncWith("/api/events", token)).GetProperty("events");
        Assert.Contains(all.EnumerateArray(), e => e.GetProperty("sequence").GetInt64() == sequence);
        var after = Json.Parse(await client.GetStringAsyncWith($"/api/events?after={sequence}&limit=5", token)).GetProperty("events");
        Assert.All(after.EnumerateArray(), e => Assert.True(e.GetProperty("sequence").GetInt64() > sequence));
        Assert.InRange(after.GetArrayLength(), 0, 5);
    }

    [Fact]
    public async Task A_simulated_button_press_calls_its_ring_group()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await TokenAsync(web, client);

        using var press = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/sim/buttons/button1/press", token: token));
        using var unknown = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/sim/buttons/button9/press", token: token));

        Assert.Equal(HttpStatusCode.Accepted, press.StatusCode);
        await web.Resident.NextCallAsync();
        Assert.Equal(StationCallState.Calling, web.App.Station.CallState);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Tokens_are_created_listed_and_revoked_by_the_page_only_and_stored_hashed()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        using var create = await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/tokens", csrf, "{\"name\":\"home-assistant\",\"scopes\":[\"read\"]}"));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var created = Json.Parse(await create.Content.ReadAsStringAsync());
        var token = created.GetProperty("token").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        using var api = web.NewClient();

        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/status", token: token))).StatusCode);
        var list = await page.GetStringAsync("/api/tokens");
        Assert.Contains("home-assistant", list, StringComparison.Ordinal);
        Assert.DoesNotContain(token, list, StringComparison.Ordinal);
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(Path.Combine(web.Directory, "web-state.json")), StringComparison.Ordinal);
        using var minted = await api.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/tokens", json: "{\"name\":\"more\"}", token: token));
        Assert.Equal(HttpStatusCode.Forbidden, minted.StatusCode);
        using var listByToken = await api.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/tokens", token: token));
        Assert.Equal(HttpStatusCode.Forbidden, listByToken.StatusCode);

        using var revoke = await page.SendAsync(StationWeb.Request(HttpMethod.Delete, "/api/tokens/" + id, csrf));
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/status", token: token))).StatusCode);
        using var again = await page.SendAsync(StationWeb.Request(HttpMethod.Delete, "/api/tokens/" + id, csrf));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Backup_leaves_secrets_out_unless_the_page_asks_for_them()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var token = await TokenAsync(web, page);

        var plain = await page.GetAsync("/api/config/backup");
        var withSecrets = await page.GetAsync("/api/config/backup?secrets=true");
        using var byToken = await web.NewClient().SendAsync(StationWeb.Request(HttpMethod.Get, "/api/config/backup?secrets=true", token: token));

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Contains("attachment", plain.Content.Headers.ContentDisposition?.ToString() ?? plain.Headers.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(StationWeb.SipPassword, await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(StationWeb.DoorCode, await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(StationWeb.SipPassword, await withSecrets.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(StationWeb.DoorCode, await withSecrets.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, byToken.StatusCode);
        Assert.Contains(web.Logs.Lines, l => l.Contains("backup with secrets downloaded", StringComparison.Ordinal));

        // Restoring the plain backup keeps the stored password.
        using var restore = await page.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", token: token, json: await plain.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.True(ConfigLoader.TryLoad(web.Store.Path, out var onDisk, out _));
        Assert.Equal(StationWeb.SipPassword, onDisk!.Accounts[0].Password);
        Assert.Equal(StationWeb.DoorCode, onDisk.Station.Codes[0].Code);
        web.AssertNoSecretLeaked();
    }

    [Fact]
    public async Task No_response_of_any_endpoint_contains_a_configured_password_or_door_code()
    {
        await using var web = await StationWeb.StartAsync(c =>
        {
            c.Station.Board.Keypad = new KeypadWiringConfig();
            c.Station.Keypad.LocalCodes = [new CodeConfig { Id = "cleaner", Code = StationWeb.KeypadCode, Relay = "door" }];
        });
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        var token = await TokenAsync(web, page, csrf);
        var config = await page.GetStringAsync("/api/config");
        string[] gets = ["/", "/app.js", "/app.css", "/api/session", "/api/status", "/api/config", "/api/config/backup", "/api/events", "/api/tokens"];
        foreach (var path in gets)
        {
            await page.GetAsync(path);
            await web.NewClient().SendAsync(StationWeb.Request(HttpMethod.Get, path, token: token));
        }

        Assert.Equal(HttpStatusCode.OK, (await page.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", csrf, config))).StatusCode);
        Assert.Contains("nobody", config.Replace("\"ringGroup\": \"residents\"", "\"ringGroup\": \"nobody\"", StringComparison.Ordinal), StringComparison.Ordinal);
        await page.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", csrf, config.Replace("\"ringGroup\": \"residents\"", "\"ringGroup\": \"nobody\"", StringComparison.Ordinal)));
        await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/open", csrf));
        using var stream = await EventStreamReader.OpenAsync(web.NewClient(), StationWeb.Request(HttpMethod.Get, "/api/events/stream", token: token));
        await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/sim/buttons/button1/press", csrf));
        var call = await web.Resident.NextCallAsync();
        web.Resident.Answer(call);
        await stream.WaitForAsync("status", s => s.GetProperty("callState").GetString() == "InCall");

        // Codes used in a call and at the keypad, right and wrong: the events and the status say so, never with the digits.
        await TestPhone.KeyAsync(call, StationWeb.DoorCode);
        await stream.WaitForAsync("event", e => e.GetProperty("kind").GetString() == "CodeAccepted");
        foreach (var key in StationWeb.KeypadCode + "12121212")
        {
            web.App.SimulatedBoard!.PressKey(key);
        }

        await stream.WaitForAsync("event", e => e.GetProperty("kind").GetString() == "CodeAccepted" && e.GetProperty("message").GetString()!.Contains("keypad", StringComparison.Ordinal));
        await stream.WaitForAsync("event", e => e.GetProperty("kind").GetString() == "CodeRejected");
        foreach (var path in (string[])["/api/events", "/api/status", "/api/config", "/api/config/backup"])
        {
            await page.GetAsync(path);
        }

        await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/hangup", csrf));
        await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/call", csrf, "{\"target\":\"residents\"}"));
        await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/login", json: "{\"password\":\"wrong password\"}"));
        await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/password", csrf, $"{{\"current\":\"{StationWeb.AdminPassword}\",\"password\":\"x\"}}"));

        Assert.True(web.Responses.Count > 25);
        Assert.Contains(web.Responses, r => r.Request.EndsWith("/api/events", StringComparison.Ordinal) && Json.Parse(r.Body).GetProperty("events").EnumerateArray().Any(e => e.GetProperty("message").GetString()!.StartsWith("code 'code1' accepted via", StringComparison.Ordinal)));
        web.AssertNoSecretLeaked(stream.Lines);
    }

    /// <summary>A token with the scopes asked for (all three unless a test says otherwise).</summary>
    internal static async Task<string> TokenAsync(StationWeb web, HttpClient page, string? csrf = null, string scopes = "\"read\",\"operate\",\"configure\"")
    {
        csrf ??= await StationWeb.SetupAsync(page);
        using var create = await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/tokens", csrf, $"{{\"name\":\"test\",\"scopes\":[{scopes}]}}"));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        _ = web;
        return Json.Parse(await create.Content.ReadAsStringAsync()).GetProperty("token").GetString()!;
    }
}

internal static class HttpClientExtensions
{
    public static async Task<string> GetStringAsyncWith(this HttpClient client, string path, string token)
    {
        using var response = await client.SendAsync(StationWeb.Request(HttpMethod.Get, path, token: token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
