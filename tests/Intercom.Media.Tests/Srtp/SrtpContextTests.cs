using Intercom.Media.Rtp;
using Intercom.Media.Srtp;

namespace Intercom.Media.Tests.Srtp;

public sealed class SrtpContextTests
{
    // RFC 3711 §B.3 master key and salt (also libsrtp's test driver key).
    private static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139" + "0EC675AD498AFEEBB6960B3AABE6");

    [Fact]
    public void Appendix_b2_aes_cm_keystream()
    {
        using var context = new SrtpContext(
            SrtpCryptoSuite.AesCm128HmacSha1_80,
            Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"),
            Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"),
            new byte[20]);
        var keystream = new byte[48];
        context.Keystream(ssrc: 0, index: 0, keystream);
        Assert.Equal(
            Convert.FromHexString("E03EAD0935C95E80E166B16DD92B4EB4" + "D23513162B02D0F72A43A2FE4A5F97AB" + "41E95B3BB0A2E8DD477901E4FCA894C0"),
            keystream);
    }

    [Fact]
    public void Appendix_b3_key_derivation()
    {
        using var context = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey);
        Assert.Equal(Convert.FromHexString("C61E7A93744F39EE10734AFE3FF7A087"), context.RtpEncryptionKey.ToArray());
        Assert.Equal(Convert.FromHexString("30CBBC08863D8C85D49DB34A9AE1"), context.RtpSalt.ToArray());
        Assert.Equal(Convert.FromHexString("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"), context.RtpAuthenticationKey.ToArray());
    }

    [Fact]
    public void Protects_the_libsrtp_reference_packet_byte_for_byte()
    {
        // libsrtp's srtp_driver reference: SSRC 0xCAFEBABE, sequence 0x1234, 16 bytes of 0xAB, AES_CM_128_HMAC_SHA1_80.
        byte[] buffer = new byte[64];
        byte[] plain = Convert.FromHexString("800f1234decafbadcafebabeabababababababababababababababab");
        plain.CopyTo(buffer, 0);
        using var context = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey);
        int length = context.Protect(buffer, plain.Length);
        Assert.Equal(
            Convert.FromHexString("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb"),
            buffer[..length]);

        using var receiver = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey);
        Assert.True(receiver.TryUnprotect(buffer, length, out int plainLength));
        Assert.Equal(plain, buffer[..plainLength]);
    }

    [Theory]
    [InlineData(SrtpCryptoSuite.AesCm128HmacSha1_80, 10)]
    [InlineData(SrtpCryptoSuite.AesCm128HmacSha1_32, 4)]
    public void Round_trip_across_a_sequence_wrap(SrtpCryptoSuite suite, int tag)
    {
        using var sender = new SrtpContext(suite, MasterKey);
        using var receiver = new SrtpContext(suite, MasterKey);
        var buffer = new byte[256];
        byte[] payload = [.. Enumerable.Range(0, 160).Select(i => (byte)i)];
        for (int i = 0; i < 20; i++)
        {
            ushort sequence = (ushort)(65530 + i);
            int length = new RtpHeader(0, sequence, (uint)(i * 160), 0x1234).Write(payload, buffer);
            int protectedLength = sender.Protect(buffer, length);
            Assert.Equal(length + tag, protectedLength);
            Assert.NotEqual(payload, buffer[12..length]);
            Assert.True(receiver.TryUnprotect(buffer, protectedLength, out int plainLength), $"packet {i}");
            Assert.Equal(length, plainLength);
            Assert.Equal(payload, buffer[12..length]);
        }
    }

    [Fact]
    public void Tampering_and_replay_are_rejected()
    {
        using var sender = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey);
        using var receiver = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey);
        var buffer = new byte[256];
        int length = sender.Protect(buffer, new RtpHeader(0, 100, 0, 7).Write(new byte[160], buffer));
        byte[] original = buffer[..length];

        for (int position = 0; position < length; position += 17)
        {
            byte[] tampered = (byte[])original.Clone();
            tampered[position] ^= 0x01;
            Assert.False(receiver.TryUnprotect(tampered, length, out _), $"flip at {position}");
        }

        Assert.Equal((length + 16) / 17, receiver.AuthenticationFailures);
        byte[] copy = (byte[])original.Clone();
        Assert.True(receiver.TryUnprotect(copy, length, out _));
        copy = (byte[])original.Clone();
        Assert.False(receiver.TryUnprotect(copy, length, out _));
        Assert.Equal(1, receiver.ReplaysDropped);
        Assert.False(receiver.TryUnprotect(new byte[8], 8, out _));
    }

    [Fact]
    public void Replay_window_accepts_reordering_and_rejects_too_old()
    {
        using var sender = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey);
        using var receiver = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey);
        var packets = new List<byte[]>();
        for (ushort seq = 0; seq < 100; seq++)
        {
            var buffer = new byte[64];
            int length = sender.Protect(buffer, new RtpHeader(0, seq, 0, 7).Write([1, 2, 3], buffer));
            packets.Add(buffer[..length]);
        }

        Assert.True(receiver.TryUnprotect(packets[0], packets[0].Length, out _));
        Assert.True(receiver.TryUnprotect(packets[90], packets[90].Length, out _));
        Assert.True(receiver.TryUnprotect(packets[80], packets[80].Length, out _));
        Assert.False(receiver.TryUnprotect(packets[20], packets[20].Length, out _));
        Assert.Equal(1, receiver.ReplaysDropped);
    }

    [Fact]
    public void Srtcp_round_trip_and_tamper()
    {
        using var sender = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_32, MasterKey);
        using var receiver = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_32, MasterKey);
        var buffer = new byte[128];
        int length = Intercom.Media.Rtcp.RtcpWriter.WriteReceiverReport(buffer, 0xABCDEF01, [new(1, 2, 3, 4, 5, 6, 7)]);
        byte[] plain = buffer[..length];
        int protectedLength = sender.ProtectRtcp(buffer, length);
        Assert.Equal(length + 14, protectedLength);
        Assert.Equal(plain[..8], buffer[..8]);
        Assert.NotEqual(plain[8..], buffer[8..length]);
        byte[] tampered = buffer[..protectedLength];
        tampered[10] ^= 0x80;
        Assert.False(receiver.TryUnprotectRtcp(tampered, protectedLength, out _));
        Assert.True(receiver.TryUnprotectRtcp(buffer, protectedLength, out int plainLength));
        Assert.Equal(plain, buffer[..plainLength]);
    }
}
