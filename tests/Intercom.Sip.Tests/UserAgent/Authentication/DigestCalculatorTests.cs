using System.Text;
using Intercom.Sip.UserAgent.Authentication;

namespace Intercom.Sip.Tests.UserAgent.Authentication;

/// <summary>The request-digest against the worked examples of RFC 2617 §3.5 and RFC 7616 §3.9.1.</summary>
public class DigestCalculatorTests
{
    [Fact]
    public void Rfc2617_section_3_5_example()
    {
        var ha1 = DigestCalculator.ComputeHa1(DigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life", "dcd98b7102dd2f0e8b11d0f600bfb0c093", null);
        var response = DigestCalculator.ComputeResponse(DigestAlgorithm.Md5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "auth", "00000001", "0a4f113b", "GET", "/dir/index.html");
        Assert.Equal("6629fae49393a05397450978507c4ef1", response);
    }

    [Theory]
    [InlineData(DigestAlgorithm.Md5, "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData(DigestAlgorithm.Sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Rfc7616_section_3_9_1_examples(DigestAlgorithm algorithm, string expected)
    {
        const string nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
        const string cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        var ha1 = DigestCalculator.ComputeHa1(algorithm, "Mufasa", "http-auth@example.org", "Circle of Life", nonce, cnonce);
        var response = DigestCalculator.ComputeResponse(algorithm, ha1, nonce, "auth", "00000001", cnonce, "GET", "/dir/index.html");
        Assert.Equal(expected, response);
    }

    [Fact]
    public void Rfc2069_response_has_no_count_or_cnonce()
    {
        var ha1 = DigestCalculator.ComputeHa1(DigestAlgorithm.Md5, "door", "example.com", "door-secret", "84a4cc6f3082121f32b42a2187831a9e", null);
        var response = DigestCalculator.ComputeResponse(DigestAlgorithm.Md5, ha1, "84a4cc6f3082121f32b42a2187831a9e", null, null, null, "REGISTER", "sip:example.com");
        Assert.Equal("0f6789f0aeefdea763cb549c6b7b4be4", response);
    }

    [Fact]
    public void Session_variant_hashes_nonce_and_cnonce_into_HA1()
    {
        var plain = DigestCalculator.ComputeHa1(DigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life", "n", "c");
        var session = DigestCalculator.ComputeHa1(DigestAlgorithm.Md5Sess, "Mufasa", "testrealm@host.com", "Circle Of Life", "n", "c");
        Assert.Equal(DigestCalculator.Hash(DigestAlgorithm.Md5, plain + ":n:c"), session);
    }

    [Fact]
    public void Auth_int_hashes_the_body_into_HA2()
    {
        var body = Encoding.UTF8.GetBytes("v=0\r\n");
        var withBody = DigestCalculator.ComputeResponse(DigestAlgorithm.Sha256, "ha1", "n", "auth-int", "00000001", "c", "INVITE", "sip:a@b", body);
        var ha2 = DigestCalculator.Hash(DigestAlgorithm.Sha256, "INVITE:sip:a@b:" + DigestCalculator.Hash(DigestAlgorithm.Sha256, body));
        Assert.Equal(DigestCalculator.Hash(DigestAlgorithm.Sha256, "ha1:n:00000001:c:auth-int:" + ha2), withBody);
    }
}
