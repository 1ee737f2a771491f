using System.Text;
using Intercom.Sip.Messages;
using Intercom.Sip.Tests.Messages;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>
/// RFC 3261 §8.2.1–§8.2.3 applied by the user agent itself to every request it serves, OPTIONS included: the RFC 4475
/// messages that parse but must be refused get the status the RFC names from the station, not only from the validator.
/// </summary>
public sealed class UasRequestChecksTests : IDisposable
{
    private readonly UserAgentTestBench _bench = new();

    public void Dispose() => _bench.Dispose();

    [Theory]
    [InlineData("rfc4475/unkscm.dat", 416)]   // §3.3.5 OPTIONS to an unknown URI scheme
    [InlineData("rfc4475/novelsc.dat", 416)]  // §3.3.6 OPTIONS to a novel scheme
    [InlineData("rfc4475/bext01.dat", 420)]   // §3.3.14 Require of extensions nobody supports
    [InlineData("rfc4475/mcl01.dat", 400)]    // §3.3.9 two different Content-Length values
    [InlineData("rfc4475/badbranch.dat", 400)] // §3.2.1 the magic cookie and nothing after it
    [InlineData("rfc4475/multi01.dat", 400)]  // §3.3.8 two To headers on an INVITE
    [InlineData("rfc4475/invut.dat", 415)]    // §3.3.10 an INVITE with a body we cannot read
    [InlineData("rfc4475/sdp01.dat", 406)]    // §3.3.15 an INVITE that will not accept SDP
    public void A_torture_request_gets_the_status_the_rfc_names(string file, int status)
    {
        _bench.Receive(Encoding.Latin1.GetString(TortureMessageTests.Load(file)));

        var response = Assert.Single(_bench.Transport.SentResponses);
        Assert.Equal(status, response.StatusCode);
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void A_420_names_every_unsupported_extension()
    {
        _bench.Receive(Encoding.Latin1.GetString(TortureMessageTests.Load("rfc4475/bext01.dat")));

        var response = Assert.Single(_bench.Responses(420));
        Assert.Equal(["nothingSupportsThis", "nothingSupportsThisEither"], response.Headers.GetAll(SipHeaderNames.Unsupported));
    }

    [Fact]
    public void An_options_probe_learns_only_what_is_implemented()
    {
        _bench.Receive("""
            OPTIONS sip:door@192.0.2.1 SIP/2.0
            Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKopt9
            Max-Forwards: 70
            From: <sip:monitor@example.com>;tag=m9
            To: <sip:door@192.0.2.1>
            Call-ID: opt-9@example.com
            CSeq: 1 OPTIONS
            Content-Length: 0


            """);

        var ok = Assert.Single(_bench.Responses(200));
        var supported = ok.Headers.Get(SipHeaderNames.Supported)!.Split(',', StringSplitOptions.TrimEntries);
        Assert.DoesNotContain("replaces", supported);
        Assert.DoesNotContain("norefersub", supported);
        var allow = ok.Headers.Get(SipHeaderNames.Allow)!.Split(',', StringSplitOptions.TrimEntries);
        Assert.DoesNotContain("REFER", allow);
        Assert.DoesNotContain("NOTIFY", allow);
        Assert.DoesNotContain("MESSAGE", allow);
    }

    [Theory]
    [InlineData("MESSAGE", 405)] // known, not implemented here: 405 with Allow
    [InlineData("FROBNICATE", 501)] // unknown: 501 (§8.2.1)
    public void A_method_we_do_not_serve_is_refused_by_what_it_is(string method, int status)
    {
        _bench.Receive($"""
            {method} sip:door@192.0.2.1 SIP/2.0
            Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKm1
            Max-Forwards: 70
            From: <sip:someone@example.com>;tag=s1
            To: <sip:door@192.0.2.1>
            Call-ID: m-1@example.com
            CSeq: 1 {method}
            Content-Length: 0


            """);

        var response = Assert.Single(_bench.Transport.SentResponses);
        Assert.Equal(status, response.StatusCode);
        if (status == 405)
        {
            Assert.Contains("INVITE", response.Headers.Get(SipHeaderNames.Allow), StringComparison.Ordinal);
        }
    }
}
