using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Intercom.Media.Srtp;

/// <summary>
/// One direction of SRTP/SRTCP (RFC 3711) with AES-128 counter mode and HMAC-SHA1: a context made from our key protects
/// what we send, one made from the peer's key unprotects what we receive. Session keys are derived once with a key
/// derivation rate of 0 (§4.3.1). Protect/unprotect work in place on preallocated buffers and allocate nothing. A context
/// tracks one SSRC; a new SSRC restarts the rollover counter and the replay window (§3.2.3). Not thread-safe: one
/// context per thread (send or receive).
/// </summary>
public sealed class SrtpContext : IDisposable
{
    /// <summary>Largest packet handled.</summary>
    public const int MaxPacketLength = 1500;

    private const int RtcpTagLength = 10;
    private const int RtcpIndexLength = 4;
    private const int ReplayWindow = 64;
    private const int BlockSize = 16;
    private const int MaxBlocks = (MaxPacketLength + BlockSize - 1) / BlockSize;

    private readonly int _rtpTagLength;
    private readonly Session _rtp;
    private readonly Session _rtcp;
    private readonly byte[] _counters = new byte[MaxBlocks * BlockSize];
    private readonly byte[] _keystream = new byte[MaxBlocks * BlockSize];
    private readonly byte[] _mac = new byte[20];

    // Sending state.
    private uint _sendRoc;
    private ushort _lastSentSequence;
    private bool _hasSent;
    private uint _rtcpSendIndex;

    // Receiving state (Appendix A index estimation, §3.3.2 replay list).
    private bool _hasReceived;
    private uint _receiveSsrc;
    private uint _receiveRoc;
    private ushort _highestSequence;
    private ulong _highestIndex;
    private ulong _replayBits;
    private bool _hasRtcpReceived;
    private uint _highestRtcpIndex;
    private ulong _rtcpReplayBits;

    /// <summary>Creates a context from a 30-byte master key and salt.</summary>
    public SrtpContext(SrtpCryptoSuite suite, ReadOnlySpan<byte> masterKeyAndSalt)
    {
        if (masterKeyAndSalt.Length != SdesCryptoAttribute.KeyAndSaltLength)
        {
            throw new ArgumentException("an AES_CM_128 master key and salt are 30 bytes", nameof(masterKeyAndSalt));
        }

        Suite = suite;
        _rtpTagLength = suite == SrtpCryptoSuite.AesCm128HmacSha1_32 ? 4 : 10;
        ReadOnlySpan<byte> masterKey = masterKeyAndSalt[..16];
        ReadOnlySpan<byte> masterSalt = masterKeyAndSalt[16..];
        using (Aes master = Aes.Create())
        {
            master.Key = masterKey.ToArray();
            _rtp = Session.Derive(master, masterSalt, 0);
            _rtcp = Session.Derive(master, masterSalt, 3);
        }
    }

    /// <summary>Creates a context from explicit RTP session keys (the §B.2 test vector gives them directly).</summary>
    internal SrtpContext(SrtpCryptoSuite suite, byte[] sessionKey, byte[] sessionSalt, byte[] authenticationKey)
    {
        Suite = suite;
        _rtpTagLength = suite == SrtpCryptoSuite.AesCm128HmacSha1_32 ? 4 : 10;
        _rtp = new Session(sessionKey, authenticationKey, sessionSalt);
        _rtcp = new Session(sessionKey, authenticationKey, sessionSalt);
    }

    /// <summary>The crypto suite.</summary>
    public SrtpCryptoSuite Suite { get; }

    /// <summary>Bytes added to an RTP packet (the authentication tag).</summary>
    public int RtpOverhead => _rtpTagLength;

    /// <summary>Bytes added to an RTCP packet (E flag and index, and the 80-bit tag).</summary>
    public static int RtcpOverhead => RtcpIndexLength + RtcpTagLength;

    /// <summary>Authentication or replay failures seen by <see cref="TryUnprotect"/> and <see cref="TryUnprotectRtcp"/>.</summary>
    public long AuthenticationFailures { get; private set; }

    /// <summary>Packets dropped as replays.</summary>
    public long ReplaysDropped { get; private set; }

    /// <summary>The RTP session encryption key (label 0), for the §B.3 test vector.</summary>
    internal ReadOnlySpan<byte> RtpEncryptionKey => _rtp.EncryptionKey;

    /// <summary>The RTP session salt (label 2).</summary>
    internal ReadOnlySpan<byte> RtpSalt => _rtp.Salt;

    /// <summary>The RTP session authentication key (label 1).</summary>
    internal ReadOnlySpan<byte> RtpAuthenticationKey => _rtp.AuthenticationKey;

    /// <summary>
    /// Encrypts the payload of the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>] in place and appends
    /// the tag (§3.1). Returns the new length, or 0 if the packet is not RTP or the buffer cannot hold the tag.
    /// </summary>
    public int Protect(Span<byte> buffer, int length)
    {
        int headerLength = RtpHeaderLength(buffer[..length]);
        if (headerLength < 0 || length + _rtpTagLength > buffer.Length || length > MaxPacketLength)
        {
            return 0;
        }

        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        if (_hasSent && sequence < _lastSentSequence && _lastSentSequence - sequence > 0x8000)
        {
            _sendRoc++;
        }

        _hasSent = true;
        _lastSentSequence = sequence;
        ulong index = ((ulong)_sendRoc << 16) | sequence;
        Transform(_rtp, ssrc, index, buffer[headerLength..length]);
        Span<byte> rocBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rocBytes, _sendRoc);
        ComputeTag(_rtp, buffer[..length], rocBytes);
        _mac.AsSpan(0, _rtpTagLength).CopyTo(buffer[length..]);
        return length + _rtpTagLength;
    }

    /// <summary>
    /// Authenticates, replay-checks and decrypts an SRTP packet in place (§3.3). Returns false, changing no state, for
    /// bad tags, replays and malformed packets.
    /// </summary>
    public bool TryUnprotect(Span<byte> buffer, int length, out int plainLength)
    {
        plainLength = 0;
        int authenticated = length - _rtpTagLength;
        if (length > MaxPacketLength || authenticated < 12)
        {
            AuthenticationFailures++;
            return false;
        }

        int headerLength = RtpHeaderLength(buffer[..authenticated]);
        if (headerLength < 0)
        {
            AuthenticationFailures++;
            return false;
        }

        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        bool newSource = !_hasReceived || ssrc != _receiveSsrc;
        uint roc = newSource ? 0 : EstimateRoc(sequence);
        ulong index = ((ulong)roc << 16) | sequence;
        if (!newSource && IsReplay(index, _highestIndex, _replayBits))
        {
            ReplaysDropped++;
            return false;
        }

        Span<byte> rocBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
        ComputeTag(_rtp, buffer[..authenticated], rocBytes);
        if (!CryptographicOperations.FixedTimeEquals(_mac.AsSpan(0, _rtpTagLength), buffer.Slice(authenticated, _rtpTagLength)))
        {
            AuthenticationFailures++;
            return false;
        }

        Transform(_rtp, ssrc, index, buffer[headerLength..authenticated]);
        if (newSource)
        {
            _hasReceived = true;
            _receiveSsrc = ssrc;
            _receiveRoc = 0;
            _highestSequence = sequence;
            _highestIndex = index;
            _replayBits = 1;
        }
        else
        {
            if (roc == _receiveRoc + 1)
            {
                _receiveRoc = roc;
                _highestSequence = sequence;
            }
            else if (roc == _receiveRoc && sequence > _highestSequence)
            {
                _highestSequence = sequence;
            }

            UpdateWindow(index, ref _highestIndex, ref _replayBits);
        }

        plainLength = authenticated;
        return true;
    }

    /// <summary>Encrypts a compound RTCP packet in place and appends E|index and the tag (§3.4). Returns the new length or 0.</summary>
    public int ProtectRtcp(Span<byte> buffer, int length)
    {
        if (length < 8 || length + RtcpOverhead > buffer.Length || length > MaxPacketLength)
        {
            return 0;
        }

        uint index = _rtcpSendIndex;
        _rtcpSendIndex = (_rtcpSendIndex + 1) & 0x7FFF_FFFF;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        Transform(_rtcp, ssrc, index, buffer[8..length]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], 0x8000_0000 | index);
        ComputeTag(_rtcp, buffer[..(length + RtcpIndexLength)], default);
        _mac.AsSpan(0, RtcpTagLength).CopyTo(buffer[(length + RtcpIndexLength)..]);
        return length + RtcpOverhead;
    }

    /// <summary>Authenticates, replay-checks and decrypts an SRTCP packet in place.</summary>
    public bool TryUnprotectRtcp(Span<byte> buffer, int length, out int plainLength)
    {
        plainLength = 0;
        int authenticated = length - RtcpTagLength;
        int encryptedEnd = authenticated - RtcpIndexLength;
        if (length > MaxPacketLength || encryptedEnd < 8)
        {
            AuthenticationFailures++;
            return false;
        }

        uint word = BinaryPrimitives.ReadUInt32BigEndian(buffer[encryptedEnd..]);
        uint index = word & 0x7FFF_FFFF;
        if (_hasRtcpReceived && IsReplay(index, _highestRtcpIndex, _rtcpReplayBits))
        {
            ReplaysDropped++;
            return false;
        }

        ComputeTag(_rtcp, buffer[..authenticated], default);
        if (!CryptographicOperations.FixedTimeEquals(_mac.AsSpan(0, RtcpTagLength), buffer.Slice(authenticated, RtcpTagLength)))
        {
            AuthenticationFailures++;
            return false;
        }

        if ((word & 0x8000_0000) != 0)
        {
            Transform(_rtcp, BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]), index, buffer[8..encryptedEnd]);
        }

        if (_hasRtcpReceived)
        {
            ulong highest = _highestRtcpIndex;
            UpdateWindow(index, ref highest, ref _rtcpReplayBits);
            _highestRtcpIndex = (uint)highest;
        }
        else
        {
            _hasRtcpReceived = true;
            _highestRtcpIndex = index;
            _rtcpReplayBits = 1;
        }

        plainLength = encryptedEnd;
        return true;
    }

    /// <summary>Writes the AES-CM keystream for <paramref name="ssrc"/> and <paramref name="index"/> (§4.1.1); for tests.</summary>
    internal void Keystream(uint ssrc, ulong index, Span<byte> destination)
    {
        destination.Clear();
        Transform(_rtp, ssrc, index, destination);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }

    private static bool IsReplay(ulong index, ulong highest, ulong bits)
    {
        if (index > highest)
        {
            return false;
        }

        ulong delta = highest - index;
        return delta >= ReplayWindow || (bits & (1UL << (int)delta)) != 0;
    }

    private static void UpdateWindow(ulong index, ref ulong highest, ref ulong bits)
    {
        if (index > highest)
        {
            ulong shift = index - highest;
            bits = shift >= ReplayWindow ? 1 : (bits << (int)shift) | 1;
            highest = index;
        }
        else
        {
            bits |= 1UL << (int)(highest - index);
        }
    }

    private uint EstimateRoc(ushort sequence)
    {
        // RFC 3711 Appendix A: guess the ROC from the highest sequence number seen.
        if (_highestSequence < 0x8000)
        {
            return sequence - _highestSequence > 0x8000 ? _receiveRoc - 1 : _receiveRoc;
        }

        return _highestSequence - 0x8000 > sequence ? _receiveRoc + 1 : _receiveRoc;
    }

    private static int RtpHeaderLength(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 12 || (packet[0] >> 6) != 2)
        {
            return -1;
        }

        int length = 12 + (4 * (packet[0] & 0x0F));
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return -1;
            }

            length += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]));
        }

        return length <= packet.Length ? length : -1;
    }

    private void Transform(Session session, uint ssrc, ulong index, Span<byte> data)
    {
        if (data.IsEmpty)
        {
            // A header-only packet (RFC 3550 allows an empty payload): nothing to encrypt, and AES refuses a zero-length
            // transform (found by fuzzing).
            return;
        }

        // IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16); block j uses IV + j (§4.1.1).
        int blocks = (data.Length + BlockSize - 1) / BlockSize;
        Span<byte> iv = stackalloc byte[BlockSize];
        session.Salt.CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        iv[4] ^= (byte)(ssrc >> 24);
        iv[5] ^= (byte)(ssrc >> 16);
        iv[6] ^= (byte)(ssrc >> 8);
        iv[7] ^= (byte)ssrc;
        for (int i = 0; i < 6; i++)
        {
            iv[8 + i] ^= (byte)(index >> (40 - (8 * i)));
        }

        for (int j = 0; j < blocks; j++)
        {
            Span<byte> counter = _counters.AsSpan(j * BlockSize, BlockSize);
            iv.CopyTo(counter);
            BinaryPrimitives.WriteUInt16BigEndian(counter[14..], (ushort)j);
        }

        session.Cipher.TransformBlock(_counters, 0, blocks * BlockSize, _keystream, 0);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] ^= _keystream[i];
        }
    }

    private void ComputeTag(Session session, ReadOnlySpan<byte> authenticated, ReadOnlySpan<byte> suffix)
    {
        session.Mac.AppendData(authenticated);
        if (!suffix.IsEmpty)
        {
            session.Mac.AppendData(suffix);
        }

        session.Mac.GetHashAndReset(_mac);
    }

    /// <summary>The session keys and primitives of SRTP or SRTCP.</summary>
    private sealed class Session : IDisposable
    {
        private readonly Aes _aes;

        public Session(byte[] encryptionKey, byte[] authenticationKey, byte[] salt)
        {
            EncryptionKey = encryptionKey;
            AuthenticationKey = authenticationKey;
            Salt = salt;
            _aes = Aes.Create();
            _aes.Key = EncryptionKey;
            // Counter mode is built from ECB over the counter blocks (§4.1.1).
            _aes.Mode = CipherMode.ECB;
            _aes.Padding = PaddingMode.None;
            Cipher = _aes.CreateEncryptor();
            Mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, AuthenticationKey);
        }

        public static Session Derive(Aes master, ReadOnlySpan<byte> masterSalt, byte firstLabel) => new(
            Derive(master, masterSalt, firstLabel, 16),
            Derive(master, masterSalt, (byte)(firstLabel + 1), 20),
            Derive(master, masterSalt, (byte)(firstLabel + 2), 14));

        public byte[] EncryptionKey { get; }

        public byte[] AuthenticationKey { get; }

        public byte[] Salt { get; }

        public ICryptoTransform Cipher { get; }

        public IncrementalHash Mac { get; }

        public void Dispose()
        {
            Cipher.Dispose();
            Mac.Dispose();
            _aes.Dispose();
        }

        private static byte[] Derive(Aes master, ReadOnlySpan<byte> masterSalt, byte label, int length)
        {
            // §4.3.1 with kdr = 0: x = (label || 0^48) XOR master_salt; output = AES-CM(master key, x * 2^16).
            int blocks = (length + BlockSize - 1) / BlockSize;
            var counters = new byte[blocks * BlockSize];
            for (int j = 0; j < blocks; j++)
            {
                Span<byte> block = counters.AsSpan(j * BlockSize, BlockSize);
                masterSalt.CopyTo(block);
                block[7] ^= label;
                BinaryPrimitives.WriteUInt16BigEndian(block[14..], (ushort)j);
            }

            byte[] output = master.EncryptEcb(counters, PaddingMode.None);
            return output.AsSpan(0, length).ToArray();
        }
    }
}
