using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

/// <summary>RFC 4475 §3.2–§3.4: messages that parse but that a UAS or proxy must answer with an error (or accept).</summary>
public class TortureValidatorTests
{
    private static readonly SipValidationOptions Registrar = SipValidationOptions.Default with
    {
        AllowedMethods = [.. SipValidationOptions.Default.AllowedMethods, SipMethods.Register],
    };

    private static readonly SipValidationOptions Proxy = SipValidationOptions.Default with { IsProxy = true };

    private static SipValidationResult Validate(string file, SipValidationOptions? options = null)
    {
        Assert.True(SipMessageParser.TryParse(TortureMessageTests.Load(file), out SipMessage? message, out SipParseError error), error.Reason);
        return SipRequestValidator.Validate(Assert.IsType<SipRequest>(message), options);
    }

    [Theory]
    [InlineData("rfc4475/badbranch.dat", 400, "Via branch has the z9hG4bK prefix but no transaction id")]
    [InlineData("rfc4475/insuf.dat", 400, "Missing To, From, Call-ID")]
    [InlineData("rfc4475/unkscm.dat", 416, "Unsupported URI Scheme nobodyknowsthisscheme")]
    [InlineData("rfc4475/novelsc.dat", 416, "Unsupported URI Scheme soap.beep")]
    [InlineData("rfc4475/invut.dat", 415, "Unsupported Media Type application/unknownformat")]
    [InlineData("rfc4475/regaut01.dat", 405, "Method Not Allowed")]
    [InlineData("rfc4475/multi01.dat", 400, "Multiple To values")]
    [InlineData("rfc4475/mcl01.dat", 400, "Conflicting Content-Length values")]
    [InlineData("rfc4475/sdp01.dat", 406, "Not Acceptable: Accept does not include application/sdp")]
    public void User_agent_server_answers(string file, int status, string reason)
    {
        SipValidationResult result = Validate(file);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal(reason, result.Reason);
    }

    [Fact]
    public void Require_lists_the_unsupported_extensions_for_420()
    {
        SipValidationResult uas = Validate("rfc4475/bext01.dat");
        Assert.Equal(420, uas.StatusCode);
        Assert.Equal(["nothingSupportsThis", "nothingSupportsThisEither"], uas.Unsupported);
        SipValidationResult proxy = Validate("rfc4475/bext01.dat", Proxy);
        Assert.Equal(420, proxy.StatusCode);
        Assert.Equal(["noProxiesSupportThis", "norDoAnyProxiesSupportThis"], proxy.Unsupported);
    }

    [Fact]
    public void Max_forwards_zero_is_483_at_a_proxy_and_fine_at_an_endpoint()
    {
        Assert.True(Validate("rfc4475/zeromf.dat").IsAccepted);
        SipValidationResult proxy = Validate("rfc4475/zeromf.dat", Proxy);
        Assert.Equal(483, proxy.StatusCode);
    }

    [Fact]
    public void Registrar_rejects_non_sip_address_of_record_and_accepts_contact_params()
    {
        SipValidationResult unksm2 = Validate("rfc4475/unksm2.dat", Registrar);
        Assert.Equal(400, unksm2.StatusCode);
        Assert.Equal("To and From of REGISTER must be SIP or SIPS URIs", unksm2.Reason);
        Assert.True(Validate("rfc4475/cparam01.dat", Registrar).IsAccepted);
        Assert.True(Validate("rfc4475/cparam02.dat", Registrar).IsAccepted);
        Assert.True(Validate("rfc4475/regescrt.dat", Registrar).IsAccepted);
        Assert.True(Validate("rfc4475/regaut01.dat", Registrar).IsAccepted);
    }

    [Fact]
    public void Unknown_method_gets_501()
    {
        SipRequest request = Assert.IsType<SipRequest>(SipMessageParserTests.Parse(
            SipMessageParserTests.Invite.Replace("INVITE", "FROBNICATE", StringComparison.Ordinal)));
        Assert.Equal(501, SipRequestValidator.Validate(request).StatusCode);
    }

    [Theory]
    [InlineData("rfc4475/inv2543.dat")]
    [InlineData("rfc4475/wsinv.dat")]
    [InlineData("rfc4475/esc01.dat")]
    public void Valid_requests_are_accepted(string file) => Assert.True(Validate(file).IsAccepted, Validate(file).Reason);
}
