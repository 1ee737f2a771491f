using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// The station behind a home router registers at a hosted provider that does nothing for NATed clients (no
/// fix_nated_register, no Path): the binding Kamailio keeps must already be reachable from the internet, which it is
/// only if the station put the router's public address in its Contact, learned from the received/rport of the
/// registrar's response (RFC 3581 §4; RFC 5626 §4.2 warns what a private Contact costs).
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class NatRegistrationTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-natreg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Station_behind_nat_registers_a_binding_with_the_routers_public_address_and_no_private_one()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent);
        var microphone = Path.Combine(_dir, "silence.wav");
        using (var writer = new Intercom.Audio.WavFileWriter(microphone, 16000))
        {
            writer.Append(new short[1600]);
        }

        var station = await lab.StartStationAsync(NatCall.StationConfig(lab, microphone, Path.Combine(_dir, "speaker.wav"), stunServers: null));
        await station.WaitForLineAsync(@"Registration: registered \(", Wait);

        // The first REGISTER carries the private Contact; the one after the 200 replaces it (and removes the old one with
        // expires=0). Wait for that, then look at the whole binding set.
        var dump = "";
        await Eventually.UntilAsync(async () =>
            {
                dump = await lab.Kamailio.RpcAsync("ul.dump");
                return Contacts(dump).Any(c => c.Contains("@" + NatLab.StationRouterAddress, StringComparison.Ordinal));
            }, "a binding for door at the router's public address in Kamailio's location table", Wait, () => dump + "\n" + station.Process.Tail(),
            poll: TimeSpan.FromMilliseconds(250));

        var contacts = Contacts(dump);
        output.WriteLine("bindings of door: " + string.Join(", ", contacts));
        Assert.NotEmpty(contacts);
        Assert.All(contacts, c => Assert.StartsWith($"sip:{NatLab.DoorUser}@{NatLab.StationRouterAddress}:", c, StringComparison.Ordinal));
        Assert.DoesNotContain(contacts, c => c.Contains(NatLab.StationLan + ".", StringComparison.Ordinal));
    }

    /// <summary>The Contact addresses in kamcmd's ul.dump output (lines "Address: sip:...").</summary>
    internal static List<string> Contacts(string dump) =>
        [.. Regex.Matches(dump, @"^\s*Address:\s*(?<uri>\S+)", RegexOptions.Multiline).Select(m => m.Groups["uri"].Value)];
}
