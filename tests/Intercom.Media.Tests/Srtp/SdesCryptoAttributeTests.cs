using Intercom.Media.Srtp;

namespace Intercom.Media.Tests.Srtp;

public sealed class SdesCryptoAttributeTests
{
    [Fact]
    public void Parses_an_inline_key_and_writes_it_back()
    {
        // Key from the RFC 4568 §8.1 example, without its MKI.
        const string value = "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
        Assert.True(SdesCryptoAttribute.TryParse(value, out SdesCryptoAttribute? attribute));
        Assert.Equal(1, attribute.Tag);
        Assert.Equal(SrtpCryptoSuite.AesCm128HmacSha1_80, attribute.Suite);
        Assert.Equal(30, attribute.MasterKey.Length);
        Assert.Equal(value, attribute.ToString());
        Assert.True(SdesCryptoAttribute.TryParse(value.Replace("_80", "_32", StringComparison.Ordinal) + "|2^31", out attribute));
        Assert.Equal(SrtpCryptoSuite.AesCm128HmacSha1_32, attribute.Suite);
    }

    [Theory]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20")]
    [InlineData("1 AES_256_CM_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0m")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR UNENCRYPTED_SRTP")]
    [InlineData("x AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")]
    public void Refuses_what_it_cannot_key_correctly(string value) => Assert.False(SdesCryptoAttribute.TryParse(value, out _));
}
