namespace Intercom.Configuration.Tests;

/// <summary>
/// sip.tls.caFile is read by the same code that validates it (mqtt.tls.caFile too, see the integrations' tests): a file
/// without a certificate is a field error when the file is checked, never an empty trust list at run time.
/// </summary>
public sealed class CertificateAuthorityFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "intercom-ca-" + Guid.NewGuid().ToString("N")[..8]);

    public CertificateAuthorityFileTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void An_empty_sip_CA_file_is_a_field_error_at_validation()
    {
        var empty = Path.Combine(_directory, "empty.pem");
        File.WriteAllText(empty, "");
        var config = TestConfigs.Minimal();
        config.Sip.Tls.CaFile = empty;

        var error = Assert.Single(ConfigValidator.Validate(config));
        Assert.Equal($"sip.tls.caFile: {empty} contains no certificate", error.ToString());
    }

    [Fact]
    public void A_PEM_file_with_only_a_private_key_contains_no_certificate_either()
    {
        var keyOnly = Path.Combine(_directory, "key.pem");
        File.WriteAllText(keyOnly, File.ReadAllText(TestCertificates.Create(_directory).PrivateKeyFile));
        var config = TestConfigs.Minimal();
        config.Sip.Tls.CaFile = keyOnly;

        var error = Assert.Single(ConfigValidator.Validate(config));
        Assert.Equal($"sip.tls.caFile: {keyOnly} contains no certificate", error.ToString());
    }

    [Fact]
    public void A_missing_sip_CA_file_is_named_as_missing()
    {
        var config = TestConfigs.Minimal();
        config.Sip.Tls.CaFile = Path.Combine(_directory, "absent.pem");

        var error = Assert.Single(ConfigValidator.Validate(config));
        Assert.Equal($"sip.tls.caFile: {config.Sip.Tls.CaFile} does not exist", error.ToString());
    }

    [Fact]
    public void A_real_CA_file_validates_and_loads_the_certificate_the_connection_trusts()
    {
        var certificates = TestCertificates.Create(_directory);
        var config = TestConfigs.Minimal();
        config.Sip.Tls.CaFile = certificates.CaFile;

        Assert.Empty(ConfigValidator.Validate(config));
        var authority = Assert.Single(CertificateAuthorityFile.Load(certificates.CaFile));
        Assert.Equal("CN=Intercom Test CA", authority.Subject);
    }

    [Fact]
    public void Loading_a_file_emptied_after_it_validated_fails_with_the_same_reason()
    {
        var empty = Path.Combine(_directory, "emptied.pem");
        File.WriteAllText(empty, "");

        var e = Assert.Throws<System.Security.Cryptography.CryptographicException>(() => CertificateAuthorityFile.Load(empty));
        Assert.Equal($"{empty} contains no certificate", e.Message);
    }
}
