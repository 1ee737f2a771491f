using Intercom.Media.Dtls;

namespace Intercom.Media.Tests.Dtls;

public sealed class DtlsFingerprintTests
{
    [Fact]
    public void Writes_and_reads_back_an_RFC_8122_fingerprint()
    {
        DtlsCertificate certificate = DtlsCertificate.Create("station");
        string text = certificate.Fingerprint.ToString();
        Assert.Matches("^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$", text);
        Assert.True(DtlsFingerprint.TryParse(text.ToLowerInvariant(), out DtlsFingerprint? parsed));
        Assert.True(parsed.Matches(certificate.CertificateDer));
        Assert.False(parsed.Matches(DtlsCertificate.Create("other").CertificateDer));
        Assert.True(DtlsFingerprint.TryParse("SHA-256 " + text[8..], out _));
    }

    [Theory]
    [InlineData("sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB")]
    [InlineData("sha-256")]
    [InlineData("sha-256 4A:AD")]
    [InlineData("md5 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B")]
    [InlineData("sha-256 4A-AD-B9-B1-3F-82-18-3B-54-02-12-DF-3E-5D-49-6B-19-E5-7C-AB-4A-AD-B9-B1-3F-82-18-3B-54-02-12-DF")]
    [InlineData("sha-256 ZZ:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF")]
    public void Refuses_weak_or_malformed_fingerprints(string value) => Assert.False(DtlsFingerprint.TryParse(value, out _));
}
