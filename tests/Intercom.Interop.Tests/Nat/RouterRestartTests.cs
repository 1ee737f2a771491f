using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Intercom.Audio;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// Issue #19: the NAT's mapping is lost while the station is registered (the router restarts, its WAN reconnects, or the
/// mapping expires) and the router maps the station's SIP socket to another public port afterwards. The binding the
/// registrar holds then names a port nothing forwards: until the station registers its new mapping, every call to it
/// is lost. The station must notice from its keep-alives (RFC 5626 §4.4: a failed keep-alive is a failed flow, and a
/// keep-alive answered for another public address than the registered one is one too), register the new address and be
/// reachable again well within the keep-alive interval, not only at the next refresh.
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class RouterRestartTests(ITestOutputHelper output) : IDisposable
{
    private const string PublicPorts = "40000-40999";
    // The account's keep-alive interval (the configuration's minimum) and binding lifetime: the refresh comes at half
    // the lifetime (150 s), so only the keep-alive can bring the station back within the bound below.
    private const int KeepAliveSeconds = 5;
    private const int ExpiresSeconds = 300;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    // A keep-alive leaves at 80-100 % of the interval after the last one; one interval, the REGISTER with its digest
    // challenge, and room for a loaded machine.
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds((2 * KeepAliveSeconds) + 5);

    // Over TCP a flow whose ping finds no mapping may get no reset at all: RFC 5626 §4.4.1 then declares it failed when
    // the pong has not come 10 s after the ping, which leaves up to one interval after the restart. One interval, the
    // pong's 10 s, and the same room for the REGISTER and a loaded machine.
    private static readonly TimeSpan TcpRecovery = TimeSpan.FromSeconds(KeepAliveSeconds + OutboundPongSeconds + 5);

    // RFC 5626 §4.4.1's pong wait, as OutboundFlow.PongTimeout (internal to Intercom.Sip) implements it.
    private const int OutboundPongSeconds = 10;
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-natrestart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <param name="outbound">
    /// Kamailio is an RFC 5626 registrar: it keeps the flow the REGISTER came over (here the router's old mapping) and
    /// sends calls over it, and its Flow-Timer sets the keep-alive interval; false: a plain registrar that sends calls to
    /// the Contact.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_the_router_restarts_with_other_public_ports_the_station_notices_registers_its_new_mapping_and_is_called_again(bool outbound)
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent, outboundFlowTimer: outbound ? KeepAliveSeconds : 0);
        var config = JsonNode.Parse(NatCall.StationConfig(lab, Microphone(), Path.Combine(_dir, "speaker.wav"), stunServers: null))!;
        var account = config["accounts"]![0]!;
        account["expiresSeconds"] = ExpiresSeconds;
        account["keepalive"] = "auto"; // OPTIONS on UDP: its answer's Via says which public address the registrar saw.
        account["keepaliveIntervalSeconds"] = KeepAliveSeconds;
        var station = await lab.StartStationAsync(config.ToJsonString());
        var registered = await station.WaitForLineAsync(@"account provider: registered via", Wait);
        output.WriteLine(registered);
        Assert.Equal(outbound, registered.Contains($"(outbound, flow UDP:{NatLab.ProviderAddress}:{lab.Kamailio.UdpPort}, Flow-Timer {KeepAliveSeconds} s)",
            StringComparison.Ordinal));

        // Linux's masquerade keeps the inside port: the binding is the router's address with the station's port 5060.
        var before = await BindingAsync(lab, station, c => c.EndsWith($"@{NatLab.StationRouterAddress}:5060", StringComparison.Ordinal));
        output.WriteLine("binding before the restart: " + before);

        await lab.StationRouter.RestartAsync(PublicPorts);
        var restarted = Stopwatch.StartNew();

        // (a) The station notices: a keep-alive answered through the new mapping is a failed flow.
        await NoticedAsync(station, "flow failed", restarted, Recovery);

        // (b) It registers the new mapping, and the stale binding goes: Kamailio's only binding is the new public port,
        // the one the router's conntrack table maps the station's socket to.
        var after = await BindingAsync(lab, station, c => !c.EndsWith(":5060", StringComparison.Ordinal));
        var reregisteredAfter = restarted.Elapsed;
        output.WriteLine($"after {reregisteredAfter.TotalSeconds:0.0} s, binding: {after}");
        var port = int.Parse(after[(after.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        Assert.StartsWith($"sip:{NatLab.DoorUser}@{NatLab.StationRouterAddress}:", after, StringComparison.Ordinal);
        Assert.InRange(port, 40000, 40999);
        var conntrack = await lab.StationRouter.ConntrackAsync();
        var mapping = Regex.Match(conntrack,
            $@"udp .*src={Regex.Escape(lab.StationAddress)} dst={Regex.Escape(NatLab.ProviderAddress)} sport=5060 dport={lab.Kamailio.UdpPort} .*src={Regex.Escape(NatLab.ProviderAddress)} dst={Regex.Escape(NatLab.StationRouterAddress)} sport={lab.Kamailio.UdpPort} dport=(?<port>\d+)");
        Assert.True(mapping.Success, "no mapping of the station's SIP socket in the router's conntrack table:\n" + conntrack);
        Assert.Equal(port, int.Parse(mapping.Groups["port"].Value, CultureInfo.InvariantCulture));
        Assert.True(reregisteredAfter < Recovery, $"re-registered after {reregisteredAfter.TotalSeconds:0.0} s, not within {Recovery.TotalSeconds} s");

        // (c) The resident can call the station again, through its registrar, and the station answers.
        await CalledAsync(lab, station, restarted);
    }

    /// <summary>
    /// The same over TCP, with Kamailio as RFC 5626 outbound edge and registrar: calls reach the station over the
    /// connection it registered on. The restart leaves that connection without a mapping; the station's next CRLF ping
    /// leaves through a new one, which Kamailio does not know (it resets it), or is not answered: either way the flow
    /// has failed (§4.4.1), and the station registers again over a new connection at once.
    /// </summary>
    [Fact]
    public async Task Over_tcp_with_outbound_after_the_router_restarts_the_station_registers_over_a_new_connection_and_is_called_again()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent, outboundFlowTimer: KeepAliveSeconds);
        var config = JsonNode.Parse(NatCall.StationConfig(lab, Microphone(), Path.Combine(_dir, "speaker.wav"), stunServers: null))!;
        var account = NatCall.RegisterOverTcp(config, lab);
        account["expiresSeconds"] = ExpiresSeconds;
        account["keepaliveIntervalSeconds"] = KeepAliveSeconds;
        var station = await lab.StartStationAsync(config.ToJsonString());
        var registered = await station.WaitForLineAsync(@"account provider: registered via", Wait);
        output.WriteLine(registered);
        Assert.Contains($"(outbound, flow TCP:{NatLab.ProviderAddress}:{lab.Kamailio.TcpPort}, Flow-Timer {KeepAliveSeconds} s)", registered, StringComparison.Ordinal);
        var before = await BindingAsync(lab, station, c => c.Contains($"@{NatLab.StationRouterAddress}:", StringComparison.Ordinal));
        output.WriteLine("binding before the restart: " + before);

        await lab.StationRouter.RestartAsync(PublicPorts);
        var restarted = Stopwatch.StartNew();

        // (a) The station notices: its flow failed (the connection reset, or a ping without pong).
        await NoticedAsync(station, "connection to the registrar closed|no pong on the flow", restarted, TcpRecovery);

        // (b) It registers over a new connection, which leaves through the router's new mapping.
        var after = await BindingAsync(lab, station, c => c != before);
        var reregisteredAfter = restarted.Elapsed;
        output.WriteLine($"after {reregisteredAfter.TotalSeconds:0.0} s, binding: {after}");
        var port = Regex.Match(after, $@"@{Regex.Escape(NatLab.StationRouterAddress)}:(?<p>\d+)");
        Assert.True(port.Success, after);
        Assert.InRange(int.Parse(port.Groups["p"].Value, CultureInfo.InvariantCulture), 40000, 40999);
        Assert.True(reregisteredAfter < TcpRecovery, $"re-registered after {reregisteredAfter.TotalSeconds:0.0} s, not within {TcpRecovery.TotalSeconds} s");

        // (c) The resident's call reaches the station over the new flow and is answered.
        await CalledAsync(lab, station, restarted);
    }

    /// <summary>Waits (within <paramref name="bound"/> of the restart) for the station's line saying its flow failed.</summary>
    private async Task NoticedAsync(LabStation station, string pattern, Stopwatch restarted, TimeSpan bound)
    {
        string noticed;
        try
        {
            noticed = await station.WaitForLineAsync(pattern, bound);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"the station did not notice the lost mapping within {bound.TotalSeconds} s:\n{station.Process.Tail()}");
        }

        output.WriteLine($"after {restarted.Elapsed.TotalSeconds:0.0} s: {noticed}");
    }

    /// <summary>The resident calls the door through Kamailio; the station answers; the resident hangs up.</summary>
    private async Task CalledAsync(NatLab lab, LabStation station, Stopwatch restarted)
    {
        var phone = await lab.StartPhoneAsync(NatCall.PhoneToneHz);
        await phone.CommandAsync("dial", lab.DoorUri);
        try
        {
            await phone.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException(
                $"the call to the station was not answered:\nstation:\n{station.Process.Tail()}\nphone:\n{phone.Process.Tail()}\nKamailio:\n{lab.Kamailio.Process.Tail()}");
        }

        var answeredAfter = restarted.Elapsed;
        output.WriteLine($"after {answeredAfter.TotalSeconds:0.0} s: {await station.WaitForLineAsync("auto-answered", Wait)}");
        await phone.CommandAsync("hangup");
        await phone.WaitForEventAsync("CALL_CLOSED", Wait);
    }

    private string Microphone()
    {
        var microphone = Path.Combine(_dir, "microphone.wav");
        using var writer = new WavFileWriter(microphone, 16000);
        writer.Append(TestSupport.Signal.Tone(NatCall.StationToneHz, 16000, 16000 * 5, amplitude: 8000));
        return microphone;
    }

    /// <summary>Waits until Kamailio holds exactly one binding for the door and it satisfies <paramref name="wanted"/>; returns it.</summary>
    private static async Task<string> BindingAsync(NatLab lab, LabStation station, Func<string, bool> wanted)
    {
        var dump = "";
        List<string> contacts = [];
        await Eventually.UntilAsync(async () =>
            {
                dump = await lab.Kamailio.RpcAsync("ul.dump");
                contacts = NatRegistrationTests.Contacts(dump);
                return contacts.Count == 1 && wanted(contacts[0]);
            }, "one binding for door, the one wanted, in Kamailio's location table", Wait, () => dump + "\n" + station.Process.Tail(),
            poll: TimeSpan.FromMilliseconds(100));
        return contacts[0];
    }
}
