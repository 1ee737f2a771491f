using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// Issue #19's ICE topology: the station behind home router A and the phone (baresip with its ice and stun modules)
/// behind home router B, both endpoint-independent with address-and-port-dependent filtering, Kamailio relaying
/// signalling only and coturn answering STUN. Neither side's host address is reachable from the other; each side's
/// server-reflexive address is, once its own checks have opened its router: ICE must find that pair.
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class IceCallTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-icecall-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Both_behind_home_routers_ice_selects_the_server_reflexive_pair_audio_flows_both_ways_and_the_code_opens_the_door()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent, NatBehaviour.EndpointIndependent);
        var (microphone, speaker) = IceLabCall.Audio(lab, seconds: 20);
        var config = JsonNode.Parse(NatCall.StationConfig(lab, microphone, speaker, [lab.Stun.Uri]))!;
        var call = await IceLabCall.RunAsync(lab, config, speaker, $";medianat=ice;stunserver={lab.Stun.Uri}", "module stun.so\nmodule ice.so", Wait);
        output.WriteLine(call.ToString());
        output.WriteLine("phone:\n" + call.Phone.Process.Tail());

        Assert.True(call.Pair.Success, call.Selected);
        Assert.Equal("srflx", call.Pair.Groups["local"].Value);
        Assert.Equal(NatLab.StationRouterAddress, call.Pair.Groups["la"].Value);
        Assert.Equal("srflx", call.Pair.Groups["remote"].Value);
        Assert.Equal(NatLab.PhoneRouterAddress, call.Pair.Groups["ra"].Value);
        call.AssertHeardBothWaysAndTheCodeOpenedTheDoorOnce();
    }
}
