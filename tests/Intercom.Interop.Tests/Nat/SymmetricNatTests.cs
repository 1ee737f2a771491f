using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// The station behind a symmetric NAT (a new public port for every destination, RFC 4787 §4.1) with STUN: the mapping
/// coturn reports is the one the router made for coturn, and the phone's RTP sent there is dropped. The phone (not
/// NATed, and without symmetric-RTP latching) still hears the station, whose packets reach it through the mapping the
/// router made for them. Only a relay (TURN, RFC 8656) or ICE's checks (RFC 8445) get media in here: what comes next.
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class SymmetricNatTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-natsym-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Behind_a_symmetric_nat_the_stun_mapping_is_wrong_for_the_phone_so_the_station_hears_nothing_and_the_code_opens_nothing()
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.Symmetric);
        var call = await NatCall.RunAsync(lab, stun: true);
        output.WriteLine(call.ToString());

        // STUN did its part: the SDP names the router, not 192.168.1.10.
        Assert.Equal(NatLab.StationRouterAddress, call.SdpAddress);
        // ... but the router mapped the station's flow to the phone to another port than its flow to coturn.
        Assert.StartsWith(NatLab.StationRouterAddress + ":", call.StationRtpSource, StringComparison.Ordinal);
        Assert.NotEqual($"{NatLab.StationRouterAddress}:{call.SdpPort}", call.StationRtpSource);
        Assert.True(call.PhoneHeard.Clear, $"the phone did not hear the station's {NatCall.StationToneHz} Hz: {call.PhoneHeard}");
        Assert.True(call.StationHeard.Silent, $"the station heard something through a symmetric NAT: {call.StationHeard}");

        // The resident's code travels in that RTP (RFC 4733): its events reach the router at the SDP's port and are dropped
        // there with the voice, so the door stays shut. A station that opened here would be taking digits from somewhere
        // other than the media path it signalled.
        Assert.True(call.CodeEventsAtRouter > 0, $"the phone's telephone-events never reached the router, so this shows nothing: {call}");
        Assert.False(call.DoorOpened, $"the door opened although the station heard no RTP: {call}");
    }
}
