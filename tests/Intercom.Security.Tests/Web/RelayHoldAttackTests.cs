using System.Text.Json;
using Intercom.Security.Tests.Harness;

namespace Intercom.Security.Tests.Web;

/// <summary>
/// Issue #21's relay holds through the web API, as someone on the home network would try them against the published
/// binary. The door relay is in the default Pulse mode (a lock that must not stay energised) and a "shop" relay is in
/// Hold mode. Holding the door is refused in every spelling of its path, with any minutes, even with an operate token;
/// the shop relay is not held by a read token, nor by the resident's page cookie sent without its CSRF token. One
/// legitimate opening of the door, after all that, pulses it once: requests did reach the relays.
/// </summary>
public sealed class RelayHoldAttackTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_pulse_door_is_never_held_and_a_hold_relay_only_by_an_operator()
    {
        const string Relays = """
            "relays": [ { "id": "door", "pin": 23, "pulseMs": 300, "maxMs": 1000 },
                        { "id": "shop", "pin": 24, "pulseMs": 300, "maxMs": 1000, "mode": "Hold" } ],
            """;
        var (station, port) = await WebStation.StartAsync(extraStation: Relays);
        await using var _ = station;
        var page = await WebStation.SetupAsync(station, port);
        var operate = await WebStation.TokenAsync(port, page, "\"read\",\"operate\"");
        var read = await WebStation.TokenAsync(port, page, "\"read\"");

        var failures = new List<string>();
        async Task Refused(string who, Dictionary<string, string> headers, string target, string body, params int[] allowed)
        {
            var response = await RawHttp.SendAsync(port, "POST", target, body, headers);
            if (!allowed.Contains(response.Status))
            {
                failures.Add($"{who}: POST {target} {body} -> {response.Status} {response.Body[..Math.Min(60, response.Body.Length)]}");
            }
        }

        // The Pulse door, by someone holding an operate token: 409 as written; other spellings are not routes at all.
        string[] doorHolds =
        [
            "/api/relays/door/hold", "/api/relays/DOOR/hold", "/api/relays/Door/hold", "/api/relays/door/HOLD", "/API/relays/door/hold",
            "/api/relays/door/hold/", "/api/relays/door%2Fhold", "/api/relays/door/%68old", "/api/relays//door/hold",
            "/api/relays/door/./hold", "/api/relays/gate/../door/hold", "/api/relays/door/hold?minutes=1440", "/api/relays/door%00/hold",
        ];
        foreach (var target in doorHolds)
        {
            foreach (var body in new[] { "{}", "{\"minutes\":1440}", "{\"minutes\":-1}", "{\"minutes\":99999999999}", "{\"minutes\":\"forever\"}" })
            {
                await Refused("operate token", WebStation.Bearer(operate), target, body, 400, 404, 405, 409);
            }
        }

        // As written, the request reached the relay and was refused there (not by a missing route or scope).
        var asWritten = await RawHttp.SendAsync(port, "POST", "/api/relays/door/hold", "{}", WebStation.Bearer(operate));
        Assert.Equal(409, asWritten.Status);
        Assert.Contains("only pulses", asWritten.Body, StringComparison.Ordinal);

        // The Hold relay: a read token, the page's cookie without its CSRF token, nobody at all.
        foreach (var target in new[] { "/api/relays/shop/hold", "/api/relays/Shop/hold", "/api/relays/shop/HOLD" })
        {
            await Refused("read token", WebStation.Bearer(read), target, "{}", 403, 404);
            await Refused("cookie without CSRF", new() { ["Cookie"] = page.Split('|')[0] }, target, "{}", 401, 403, 404);
            await Refused("cookie with a forged CSRF", new() { ["Cookie"] = page.Split('|')[0], ["X-CSRF-Token"] = "0000" }, target, "{}", 401, 403, 404);
            await Refused("nobody", [], target, "{}", 401, 403, 404);
        }

        // Synchronise with the station's loop: the legitimate opening queued last is logged after anything queued above.
        var open = await RawHttp.SendAsync(port, "POST", "/api/relays/door/open", "{}", WebStation.Bearer(operate));
        Assert.Equal(202, open.Status);
        await station.WaitForLineAsync(@"Relay: door released", Wait);

        Assert.True(failures.Count == 0, $"{failures.Count} requests were not refused:\n{string.Join('\n', failures)}");
        Assert.Equal(1, station.DoorOpenings());
        Assert.Equal(0, station.DoorOpenings("shop"));
        Assert.Equal(0, station.Count("held open"));
        var status = JsonDocument.Parse((await RawHttp.SendAsync(port, "GET", "/api/status", headers: WebStation.Bearer(read))).Body).RootElement;
        Assert.All(status.GetProperty("relays").EnumerateArray(), relay => Assert.False(relay.GetProperty("held").GetBoolean()));
    }
}
