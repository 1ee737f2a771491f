using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Intercom.Interop.Tests.Peers;
using Intercom.Interop.Tests.Ship;
using Intercom.Security.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Security.Tests.Admission;

/// <summary>
/// The configuration the package installs as /etc/intercom/intercom.json (the repository's intercom.example.json, read
/// from where build-deb.sh takes it), run by the published binary with only SIP moved to a free loopback port: an
/// attacker on the network forges an INVITE from the resident and keys 1, 2, 3, 4 as SIP INFO. Nothing answers and the
/// door never opens — a configuration that opens nothing until the installer sets it up.
/// </summary>
public sealed class ShippedConfigurationTests(ITestOutputHelper output)
{
    /// <summary>The shipped file with SIP on <paramref name="port"/> (UDP, loopback) and the web page on a free loopback port.</summary>
    internal static string ShippedConfiguration(int port)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var config = JsonNode.Parse(File.ReadAllText(PublishedStation.ExampleConfig), documentOptions: options)!.AsObject();
        config["sip"]!["listen"] = new JsonArray(new JsonObject { ["transport"] = "udp", ["address"] = "127.0.0.1", ["port"] = port });
        // Not part of what is under test, and 8080 / the sound card may be taken on the test machine.
        config["web"]!["address"] = "127.0.0.1";
        config["web"]!["port"] = 0;
        config["audio"]!["driver"] = "null";
        return config.ToJsonString();
    }

    [Fact]
    public async Task A_forged_invite_from_the_resident_with_the_example_code_as_sip_info_is_not_answered_and_the_door_stays_shut()
    {
        var port = FreePort.Next();
        await using var station = await AotStation.StartAsync(ShippedConfiguration(port));
        using var attacker = new SipAttacker("127.0.0.1", new IPEndPoint(IPAddress.Loopback, port));

        var call = await attacker.InviteAsync("sip:resident@127.0.0.1");
        var info = await call.SendInfoDigitsAsync("1234");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await call.HangUpAsync();
        output.WriteLine($"INVITE answered: {call.Final?.Split("\r\n")[0] ?? "(nothing)"}; INFO answered: [{string.Join(", ", info)}]");
        output.WriteLine(station.Tail(30));

        Assert.Equal(0, station.DoorOpenings());
        Assert.False(call.Answered, $"the forged INVITE was answered: {call.Final?.Split("\r\n")[0]}");
        Assert.Equal(403, call.Status);
        // The station says at start why it does nothing yet.
        Assert.Equal(1, station.Count(@"not configured yet: no door codes \(station\.codes\).*no ring group targets.*no SIP account"));
    }
}
