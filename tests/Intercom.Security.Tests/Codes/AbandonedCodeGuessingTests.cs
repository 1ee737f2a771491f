using System.Globalization;
using System.Net;
using System.Text;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Xunit.Abstractions;

namespace Intercom.Security.Tests.Codes;

/// <summary>
/// Issue #15, point 3: guessing the door code one call at a time. The station has codes of two lengths (`1234` and
/// `987654`), so a wrong 4-digit entry is still "in progress" when the caller hangs up; before the fix such an entry was
/// thrown away uncounted, and each new call started a fresh count, so an allowlisted caller could try codes for ever.
/// The attacker here is an auto-answered caller on loopback (our own SIP stack, digits as SIP INFO): 15 calls of one
/// wrong 4-digit code each, then a 16th with the right code. Expected: the lockout engages (the station's log says so)
/// and the right code opens nothing while it lasts.
/// </summary>
public sealed class AbandonedCodeGuessingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    // A call is 7 requests (INVITE, ACK, 4 INFO, BYE): one every 500 ms keeps the attacker under the station's SIP rate
    // limit (20 messages/s per source, burst 60), as a patient attacker would stay; what is measured is the code lock.
    private static readonly TimeSpan CallPace = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The station: SIP on 127.0.0.1 (UDP), codes 1234 and 987654 on the door relay, default code-lock limits, and
    /// auto-answer for `sip:resident@127.0.0.1` calling from 127.0.0.1 (a trusted source, station.incoming.sources).
    /// </summary>
    private static string Config(int sipPort, int rtpBase) => string.Create(CultureInfo.InvariantCulture, $$"""
        {
          "name": "Security: code guessing",
          "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": {{sipPort}} } ] },
          "media": { "rtpPortMin": {{rtpBase}}, "rtpPortMax": {{rtpBase + 99}}, "codecs": [ "pcmu" ] },
          "audio": { "driver": "null" },
          "station": {
            "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ],
            "codes": [ { "id": "short", "code": "1234", "relay": "door" }, { "id": "long", "code": "987654", "relay": "door" } ],
            "incoming": { "allowlist": [ "sip:resident@127.0.0.1" ], "sources": [ "127.0.0.1" ], "autoAnswer": true, "announcementBeep": false },
            "eventLog": { "persistPath": null }
          },
          "web": { "enabled": false }
        }
        """);

    [Fact]
    public async Task Fifteen_calls_each_abandoning_one_wrong_code_lock_the_caller_out_and_the_right_code_then_opens_nothing()
    {
        var sipPort = FreePort.Next();
        await using var station = await AotStation.StartAsync(Config(sipPort, 20000 + (Environment.ProcessId % 200) * 100));
        using var attacker = SipStack.Create(new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "resident", Product = "security-test" } });
        attacker.Listen(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0));

        // Wrong 4-digit codes (none is 1234 or the start of 987654); each call keys one and hangs up.
        try
        {
            for (var i = 0; i < 15; i++)
            {
                var guess = (5000 + i * 7).ToString("0000", CultureInfo.InvariantCulture);
                await CallAndKeyAsync(station, attacker, sipPort, guess);
            }
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException("a call failed; the station said:\n" + station.Tail(), e);
        }

        var lockouts = station.Count(@"locked out for \d+ s");

        // The 16th call keys the RIGHT code: locked out, so it is not even looked at.
        await CallAndKeyAsync(station, attacker, sipPort, "1234");

        // The station logs an accepted code in the same step that energises the relay, before it handles the hang-up
        // it has already logged; so no "accepted" line by now means no code opened the door.
        var accepted = station.Count(@"code( '[^']*')? accepted");
        output.WriteLine($"after 15 abandoned wrong codes: {station.Count("CodeRejected: ")} wrong codes counted, {lockouts} lockout lines; " +
            $"16th call with the right code: {accepted} accepted, {station.DoorOpenings()} door openings");
        output.WriteLine(station.Tail(40));
        Assert.True(lockouts > 0, "no lockout after 15 abandoned wrong codes:\n" + station.Tail());
        Assert.Equal(0, accepted);
        Assert.Equal(0, station.DoorOpenings());
    }

    /// <summary>One call from the allowlisted resident: answered, <paramref name="digits"/> keyed as SIP INFO, hung up.</summary>
    private static async Task CallAndKeyAsync(AotStation station, SipStack caller, int sipPort, string digits)
    {
        var pace = Task.Delay(CallPace);
        var call = caller.Agent.Dial(SipUri.Parse($"sip:door@127.0.0.1:{sipPort}"), new DialOptions
        {
            From = new SipNameAddress(SipUri.Parse("sip:resident@127.0.0.1"), "Resident"),
            Media = TestMedia.Create(),
        });
        var probe = new CallProbe(call);
        await probe.WaitForAsync("answered", Wait);
        foreach (var digit in digits)
        {
            var response = await call.SendInfo("application/dtmf-relay", Encoding.ASCII.GetBytes($"Signal={digit}\r\nDuration=160\r\n")).WaitAsync(Wait);
            Assert.Equal(200, response.StatusCode);
        }

        var ended = station.Count(@"incoming call \d+ ended");
        call.Hangup();
        await probe.WaitForAsync("ended", Wait);

        // The station has handled the hang-up (and so every digit before it) once it logs the call's end.
        await station.WaitForLineAsync(@"incoming call \d+ ended", Wait, skip: ended);
        await pace;
    }
}
