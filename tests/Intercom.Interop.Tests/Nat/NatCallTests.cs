using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// A phone on the internet calls the station behind a port-preserving home router, through a provider that relays
/// signalling only (no rtpproxy, no SDP rewriting): the media goes straight between the two, to whatever address the
/// station's SDP names (RFC 3264 §5, RFC 8866 §5.7).
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class NatCallTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-natcall-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task With_stun_the_station_answers_with_the_routers_public_address_audio_flows_both_ways_and_the_code_opens_the_door()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent);
        var call = await NatCall.RunAsync(lab, stun: true);
        output.WriteLine(call.ToString());

        Assert.Equal(NatLab.StationRouterAddress, call.SdpAddress);
        // Endpoint-independent: the mapping coturn saw is the one the station's RTP to the phone leaves from.
        Assert.Equal($"{NatLab.StationRouterAddress}:{call.SdpPort}", call.StationRtpSource);
        Assert.True(call.PhoneHeard.Clear, $"the phone did not hear the station's {NatCall.StationToneHz} Hz: {call.PhoneHeard}");
        Assert.True(call.StationHeard.Clear, $"the station did not hear the phone's {NatCall.PhoneToneHz} Hz: {call.StationHeard}");

        // The resident's code, keyed as RFC 4733 events in the RTP that reaches the station through the mapping, opens the door.
        Assert.True(call.CodeEventsAtRouter > 0, $"the phone's telephone-events never reached the router: {call}");
        Assert.True(call.DoorOpened, $"the resident's code did not open the door: {call}\n{call.StationLog}");
    }

    [Fact]
    public async Task Without_stun_the_station_answers_with_its_private_address_so_the_phone_hears_it_it_hears_nothing_and_the_code_opens_nothing()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.EndpointIndependent);
        var call = await NatCall.RunAsync(lab, stun: false);
        output.WriteLine(call.ToString());

        // The phone sends its RTP to 192.168.1.10, which has no route from the internet; the station sends to the phone's
        // public address, through its router, and is heard.
        Assert.Equal(lab.StationAddress, call.SdpAddress);
        // The address a phone that latches onto where RTP comes from (symmetric RTP, RFC 4961) would answer to; baresip does not.
        Assert.Equal($"{NatLab.StationRouterAddress}:{call.SdpPort}", call.StationRtpSource);
        Assert.True(call.PhoneHeard.Clear, $"the phone did not hear the station's {NatCall.StationToneHz} Hz: {call.PhoneHeard}");
        Assert.True(call.StationHeard.Silent, $"the station heard something: {call.StationHeard}");

        // The code travels in that RTP too: it never reaches the router, and the door stays shut.
        Assert.Equal(0, call.CodeEventsAtRouter);
        Assert.False(call.DoorOpened, $"the door opened although the station heard no RTP: {call}");
    }
}
