using Intercom.Update;

namespace Intercom.Tests.Update;

/// <summary>Ed25519 through the system libcrypto, against RFC 8032 §7.1's test vectors, and the key file formats.</summary>
public sealed class ReleaseSignatureTests
{
    // RFC 8032 §7.1, TEST 2: a one-byte message.
    private static readonly byte[] PublicKey = Convert.FromHexString("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static readonly byte[] Message = [0x72];
    private static readonly byte[] Signature = Convert.FromHexString(
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    [Fact]
    public void The_rfc_8032_vector_verifies()
    {
        Assert.True(ReleaseSignature.Verify(PublicKey, Message, Signature));
    }

    [Fact]
    public void A_changed_message_signature_or_key_does_not()
    {
        Assert.False(ReleaseSignature.Verify(PublicKey, [0x73], Signature));
        var signature = (byte[])Signature.Clone();
        signature[5] ^= 1;
        Assert.False(ReleaseSignature.Verify(PublicKey, Message, signature));
        Assert.False(ReleaseSignature.Verify(Convert.FromBase64String(ReleaseKeys.Project), Message, Signature));
        Assert.False(ReleaseSignature.Verify(PublicKey, Message, Signature.AsSpan(0, 63)));
    }

    [Fact]
    public void Keys_are_read_as_raw_base64_or_as_a_pem_public_key_and_anything_else_is_skipped()
    {
        Assert.True(ReleaseKeys.TryParse(Convert.ToBase64String(PublicKey), out var raw));
        Assert.Equal(PublicKey, raw);
        var pem = "-----BEGIN PUBLIC KEY-----\n" + Convert.ToBase64String([.. Convert.FromHexString("302a300506032b6570032100"), .. PublicKey]) + "\n-----END PUBLIC KEY-----\n";
        Assert.True(ReleaseKeys.TryParse(pem, out var fromPem));
        Assert.Equal(PublicKey, fromPem);
        Assert.False(ReleaseKeys.TryParse("not a key", out _));
        Assert.False(ReleaseKeys.TryParse(Convert.ToBase64String(new byte[31]), out _));
    }

    [Fact]
    public void The_built_in_project_key_is_always_trusted_and_a_directory_adds_keys()
    {
        var directory = Directory.CreateTempSubdirectory("intercom-keys-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "extra.pub"), Convert.ToBase64String(PublicKey));
            File.WriteAllText(Path.Combine(directory, "README"), "keys go here");

            var keys = ReleaseKeys.Load(directory);

            Assert.Equal(2, keys.Count);
            Assert.Equal(Convert.FromBase64String(ReleaseKeys.Project), keys[0]);
            Assert.True(ReleaseSignature.VerifyAny(keys, Message, Signature));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
