using System.Security.Cryptography;
using System.Text;
using Intercom.Integrations.Webhooks;

namespace Intercom.Integrations.Tests;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void Is_the_hex_hmac_sha256_of_timestamp_dot_body()
    {
        var body = "{\"event_type\":\"doorbell\"}"u8.ToArray();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData("k"u8, Encoding.ASCII.GetBytes("1767614400.{\"event_type\":\"doorbell\"}")));
        Assert.Equal("sha256=" + expected, WebhookSignature.Compute("k", 1767614400, body));
    }

    [Fact]
    public void Verify_refuses_another_body_secret_or_timestamp()
    {
        var body = "{}"u8.ToArray();
        var header = WebhookSignature.Compute("secret", 100, body);
        Assert.True(WebhookSignature.Verify("secret", 100, body, header));
        Assert.False(WebhookSignature.Verify("secret", 100, "{ }"u8, header));
        Assert.False(WebhookSignature.Verify("other", 100, body, header));
        Assert.False(WebhookSignature.Verify("secret", 101, body, header));
        Assert.False(WebhookSignature.Verify("secret", 100, body, null));
    }
}
