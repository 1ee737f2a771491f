using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// Issue #19's relay topology: the station behind home router A and the phone (baresip with its ice, stun and turn
/// modules) behind home router B, both routers symmetric (a new random port for every destination, RFC 4787 §4.1) with
/// address-and-port-dependent filtering. No server-reflexive pair can work (each side's mapping towards the other is
/// not the one coturn saw, and the other side's router drops what it did not ask for), so ICE must go through coturn's
/// relay (TURN, RFC 8656), which both sides allocate on in the provider namespace.
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class TurnCallTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-turncall-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public Task Both_behind_symmetric_nats_ice_selects_a_relayed_pair_audio_flows_both_ways_and_the_code_opens_the_door() =>
        RelayedCallAsync(dtlsSrtp: false);

    /// <summary>
    /// The same call keyed by DTLS-SRTP (baresip's dtls_srtp module): the handshake itself has to cross both relays, as
    /// a browser's does behind such routers (RFC 8842 §4: DTLS runs on the selected pair). The tones crossing prove it:
    /// neither side takes media before its keys.
    /// </summary>
    [Fact]
    public Task Both_behind_symmetric_nats_the_dtls_srtp_handshake_runs_through_the_relays_and_the_code_opens_the_door() =>
        RelayedCallAsync(dtlsSrtp: true);

    private async Task RelayedCallAsync(bool dtlsSrtp)
    {
        await using var lab = await NatLab.StartAsync(_dir, NatBehaviour.Symmetric, NatBehaviour.Symmetric, turn: true);
        var (microphone, speaker) = IceLabCall.Audio(lab, seconds: 30);
        var config = JsonNode.Parse(NatCall.StationConfig(lab, microphone, speaker, [lab.Stun.Uri]))!;
        config["accounts"]![0]!["nat"]!["turn"] = new JsonObject
        {
            ["servers"] = new JsonArray(JsonValue.Create(lab.Stun.TurnUri)),
            ["username"] = NatLab.TurnUser,
            ["password"] = NatLab.TurnPassword,
        };
        if (dtlsSrtp)
        {
            config["accounts"]![0]!["srtp"] = "dtls-srtp";
        }

        var call = await IceLabCall.RunAsync(lab, config, speaker,
            $";medianat=ice;stunserver={lab.Stun.TurnUri};stunuser={NatLab.TurnUser};stunpass={NatLab.TurnPassword}"
            + (dtlsSrtp ? ";mediaenc=dtls_srtp" : ""),
            "module stun.so\nmodule turn.so\nmodule ice.so", Wait);
        var station = call.Station;
        output.WriteLine(station.Process.Lines.FirstOrDefault(l => l.Contains("TURN relayed candidate", StringComparison.Ordinal)) ?? "no relayed candidate");

        // RFC 8656 §8: the call's end releases the station's allocation (Refresh, LIFETIME 0), so coturn closes it at
        // once instead of keeping it for its lifetime (600 s).
        string? released = null;
        await Eventually.UntilAsync(() => (released = StationRelease(lab.Stun.Process.Lines.ToList())) is not null,
            "coturn logged the station's allocation refreshed to lifetime 0 and closed", Wait,
            () => string.Join('\n', lab.Stun.Process.Lines.Where(l => l.Contains("session", StringComparison.Ordinal)).TakeLast(30)));
        output.WriteLine(released);
        output.WriteLine("station:\n" + station.Process.Tail(60));
        // baresip's own account of ICE and media, without its once-a-second bit-rate lines.
        output.WriteLine("phone:\n" + string.Join('\n', call.Phone.Process.Lines.Where(l => !l.Contains("bit/s", StringComparison.Ordinal))));
        output.WriteLine("coturn, about the station's router:\n" + string.Join('\n', lab.Stun.Process.Lines.Where(l =>
            l.Contains(NatLab.StationRouterAddress + ":", StringComparison.Ordinal) || l.Contains("lifetime", StringComparison.OrdinalIgnoreCase))));
        output.WriteLine(call.ToString());

        // Where each offer and answer told the other side to send (baresip sends its RTP to the last c=/m=), and what a
        // re-offer named as the nominated candidates: for a call where the station heard nothing.
        output.WriteLine("SDP through Kamailio (c=, m=, remote-candidates):\n" + string.Join('\n', lab.Kamailio.RelayedSdp().Select(x =>
            x.Message + ": " + string.Join(" | ", x.Sdp.Split("\r\n").Where(l => l.StartsWith("c=", StringComparison.Ordinal)
                || l.StartsWith("m=", StringComparison.Ordinal) || l.StartsWith("a=remote-candidates", StringComparison.Ordinal))))));

        // The station's own candidate is its relay on coturn: media left and arrived as ChannelData through it.
        Assert.Contains(station.Process.Lines, l => l.Contains($"TURN relayed candidate {NatLab.ProviderAddress}:", StringComparison.Ordinal));
        Assert.True(call.Pair.Success, call.Selected);
        Assert.Equal("relay", call.Pair.Groups["local"].Value);
        Assert.Equal(NatLab.ProviderAddress, call.Pair.Groups["la"].Value);
        call.AssertHeardBothWaysAndTheCodeOpenedTheDoorOnce();
    }

    /// <summary>
    /// coturn's (verbose) line closing the session whose client is the station's router, once the same session was
    /// "refreshed ... lifetime=0" before it; null until then.
    /// </summary>
    private static string? StationRelease(List<string> coturn)
    {
        foreach (string line in coturn)
        {
            var closed = Regex.Match(line, @"session (?<id>\d+): closed \(2nd stage\).*remote " + Regex.Escape(NatLab.StationRouterAddress) + @":\d+");
            if (closed.Success && coturn.Any(l => l.Contains($"session {closed.Groups["id"].Value}: refreshed, ", StringComparison.Ordinal)
                && l.TrimEnd().EndsWith("lifetime=0", StringComparison.Ordinal)))
            {
                return line;
            }
        }

        return null;
    }
}
