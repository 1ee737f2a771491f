using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Intercom.Media.Srtp;

namespace Intercom.Media.Dtls;

/// <summary>
/// One DTLS-SRTP association (RFC 5764) over a socket that is not its own: datagrams from the peer are handed in with
/// <see cref="Receive"/> (the RTP socket's demultiplexer, RFC 7983: first byte 20-63), and what OpenSSL writes goes out
/// through an <see cref="IDtlsDatagramSender"/>, one DTLS record or several whole records per datagram up to the MTU.
/// OpenSSL works on memory BIOs only. Retransmissions (RFC 6347 §4.2.4) are scheduled on our <see cref="TimeProvider"/>
/// from DTLSv1_get_timeout and run by DTLSv1_handle_timeout.
/// <para>
/// Security: the SRTP keys (RFC 5764 §4.2, the "EXTRACTOR-dtls_srtp" exporter) are released by <see cref="Connected"/>
/// only after the handshake finished AND the peer's certificate hashes to the a=fingerprint the signalling gave
/// (<see cref="SetRemoteFingerprint"/>, RFC 5763 §5); a mismatch fails the association for good. Until then nobody
/// may send or accept media. Garbage is dropped by OpenSSL (RFC 6347 §4.1.2.7); a fatal handshake error fails it.
/// </para>
/// The SSL object is not thread-safe and is driven from the receive thread and the timer: one lock guards it.
/// </summary>
public sealed unsafe class DtlsEndpoint : IDisposable
{
    /// <summary>What DTLS records may fill one datagram: under IPv6's minimum MTU with room for UDP, IP and TURN.</summary>
    public const int DefaultMtu = 1200;

    /// <summary>The largest datagram handed to OpenSSL; a DTLS record is at most 2^14 + 2048 bytes, ours are under the MTU.</summary>
    public const int MaxDatagram = 16384 + 2048 + 13;

    private const int RecordHeaderLength = 13;
    private const int KeyLength = 16;
    private const int SaltLength = 14;

    // RFC 5764 §4.2: the exporter label, and the 2*(16+14) bytes it must give for the AES-128 profiles.
    private static ReadOnlySpan<byte> ExporterLabel => "EXTRACTOR-dtls_srtp"u8;

    private readonly Lock _gate = new();
    private readonly SslHandle _ssl;
    private readonly IntPtr _readBio;
    private readonly IntPtr _writeBio;
    private readonly IDtlsDatagramSender _sender;
    private readonly ITimer _timer;
    private readonly int _mtu;
    private readonly byte[] _scratch = new byte[2048];
    private byte[] _output = new byte[4096];
    private DtlsFingerprint? _remoteFingerprint;
    private byte[]? _peerCertificate;
    private SrtpKeys? _pendingKeys;
    private long _datagramsDropped;
    private bool _disposed;

    /// <param name="context">The OpenSSL context (our certificate, use_srtp).</param>
    /// <param name="role">Client sends the ClientHello at <see cref="Start"/>; server waits for one.</param>
    /// <param name="sender">Where our datagrams go.</param>
    /// <param name="time">Schedules retransmissions.</param>
    /// <param name="initialRetransmission">The first retransmission timeout, doubling each time to 60 s (RFC 6347 §4.2.4.1: 1 s).</param>
    /// <param name="mtu">Datagram size limit for our flights.</param>
    public DtlsEndpoint(DtlsContext context, DtlsRole role, IDtlsDatagramSender sender, TimeProvider time,
        TimeSpan? initialRetransmission = null, int mtu = DefaultMtu)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(time);
        Role = role;
        _sender = sender;
        _mtu = mtu;
        LibCrypto.ClearError();
        _ssl = LibSsl.New(context.Handle);
        if (_ssl.IsInvalid)
        {
            throw new InvalidOperationException("OpenSSL could not make a DTLS session: " + LibCrypto.TakeErrors());
        }

        _readBio = NewMemoryBio();
        _writeBio = NewMemoryBio();
        LibSsl.SetBio(_ssl, _readBio, _writeBio);
        LibSsl.Control(_ssl, LibSsl.ControlSetMtu, mtu, IntPtr.Zero);
        long micros = (long)(initialRetransmission ?? TimeSpan.FromSeconds(1)).TotalMicroseconds;
        LibSsl.SetExData(_ssl, 0, (IntPtr)Math.Clamp(micros, 1000, 60_000_000));
        LibSsl.SetTimerCallback(_ssl, &NextTimeout);
        if (role == DtlsRole.Client)
        {
            LibSsl.SetConnectState(_ssl);
        }
        else
        {
            LibSsl.SetAcceptState(_ssl);
        }

        _timer = time.CreateTimer(static state => ((DtlsEndpoint)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The SRTP keys, once <see cref="Connected"/> was raised.</summary>
    public event Action<SrtpKeys>? Connected;

    /// <summary>The association failed (handshake error, no use_srtp, wrong certificate); the reason is for the log.</summary>
    public event Action<string>? Failed;

    /// <summary>Our end of the handshake.</summary>
    public DtlsRole Role { get; }

    /// <summary>Where the association is.</summary>
    public DtlsState State { get; private set; } = DtlsState.Handshaking;

    /// <summary>Why it failed, if it did.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>The keys agreed, once connected (the peer's certificate matched).</summary>
    public SrtpKeys? Keys { get; private set; }

    /// <summary>Datagrams ignored: empty or oversized, or arriving after the association failed or closed.</summary>
    public long DatagramsDropped => Interlocked.Read(ref _datagramsDropped);

    /// <summary>Starts the handshake: a client sends its ClientHello now; a server waits.</summary>
    public void Start() => Drive(datagram: default, timeout: false);

    /// <summary>Hands in one datagram from the peer (first byte 20-63).</summary>
    public void Receive(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty || datagram.Length > MaxDatagram)
        {
            Interlocked.Increment(ref _datagramsDropped);
            return;
        }

        Drive(datagram, timeout: false);
    }

    /// <summary>
    /// The a=fingerprint the signalling gave for the peer (RFC 8122). If the handshake has finished already, the
    /// certificate is checked now; else when it finishes. A later call with another fingerprint cannot re-key a
    /// connected association.
    /// </summary>
    public void SetRemoteFingerprint(DtlsFingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        SrtpKeys? connected = null;
        string? failed = null;
        lock (_gate)
        {
            if (_disposed || State is DtlsState.Connected or DtlsState.Failed or DtlsState.Closed)
            {
                return;
            }

            _remoteFingerprint = fingerprint;
            Verify(ref connected, ref failed);
        }

        Raise(connected, failed);
    }

    /// <summary>Sends close_notify if connected and stops the timer; later datagrams are dropped.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_disposed || State is DtlsState.Closed or DtlsState.Failed)
            {
                return;
            }

            if (State == DtlsState.Connected)
            {
                LibCrypto.ClearError();
                LibSsl.Shutdown(_ssl);
                Flush();
            }

            State = DtlsState.Closed;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        Close();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            _ssl.Dispose();
            _pendingKeys = null;
        }
    }

    private void OnTimer() => Drive(datagram: default, timeout: true);

    /// <summary>One step: feed the datagram (if any), run the handshake or read records, send what OpenSSL wrote, re-arm the timer.</summary>
    private void Drive(ReadOnlySpan<byte> datagram, bool timeout)
    {
        SrtpKeys? connected = null;
        string? failed = null;
        lock (_gate)
        {
            if (_disposed || State is DtlsState.Failed or DtlsState.Closed)
            {
                if (!datagram.IsEmpty)
                {
                    Interlocked.Increment(ref _datagramsDropped);
                }

                return;
            }

            LibCrypto.ClearError();
            if (!datagram.IsEmpty)
            {
                // One datagram at a time: DTLS reads a whole datagram per BIO_read (RFC 6347 §4.1.1), so none may wait behind another.
                LibCrypto.BioControl(_readBio, LibCrypto.ControlReset, 0, IntPtr.Zero);
                fixed (byte* data = datagram)
                {
                    LibCrypto.BioWrite(_readBio, data, datagram.Length);
                }
            }

            if (timeout && LibSsl.Control(_ssl, LibSsl.ControlDtlsHandleTimeout, 0, IntPtr.Zero) < 0)
            {
                Fail("no answer to the DTLS handshake: " + LibCrypto.TakeErrors(), ref failed);
            }
            else if (State == DtlsState.Handshaking)
            {
                Handshake(ref connected, ref failed);
            }
            else
            {
                ReadRecords();
            }

            Flush();
            Rearm();
        }

        Raise(connected, failed);
    }

    private void Handshake(ref SrtpKeys? connected, ref string? failed)
    {
        int result = LibSsl.DoHandshake(_ssl);
        if (result != 1)
        {
            int error = LibSsl.GetError(_ssl, result);
            if (error is not (LibSsl.ErrorWantRead or LibSsl.ErrorWantWrite))
            {
                Fail($"DTLS handshake failed ({error}): " + LibCrypto.TakeErrors(), ref failed);
            }

            return;
        }

        using (X509Handle peer = LibSsl.GetPeerCertificate(_ssl))
        {
            int length = peer.IsInvalid ? 0 : LibCrypto.EncodeX509(peer, null);
            if (length <= 0)
            {
                Fail("the peer sent no DTLS certificate", ref failed);
                return;
            }

            _peerCertificate = new byte[length];
            fixed (byte* start = _peerCertificate)
            {
                byte* cursor = start;
                LibCrypto.EncodeX509(peer, &cursor);
            }
        }

        LibSsl.SrtpProtectionProfile* profile = LibSsl.GetSelectedSrtpProfile(_ssl);
        SrtpCryptoSuite? suite = profile is null ? null : profile->Id switch
        {
            // RFC 5764 §4.1.2: SRTP_AES128_CM_HMAC_SHA1_80 {0x00, 0x01}, SRTP_AES128_CM_HMAC_SHA1_32 {0x00, 0x02}.
            1 => SrtpCryptoSuite.AesCm128HmacSha1_80,
            2 => SrtpCryptoSuite.AesCm128HmacSha1_32,
            _ => null,
        };
        if (suite is null)
        {
            Fail("the peer agreed no SRTP profile (use_srtp, RFC 5764 §4.1.2)", ref failed);
            return;
        }

        Span<byte> material = stackalloc byte[2 * (KeyLength + SaltLength)];
        int exported;
        fixed (byte* output = material)
        fixed (byte* label = ExporterLabel)
        {
            exported = LibSsl.ExportKeyingMaterial(_ssl, output, (nuint)material.Length, label, (nuint)ExporterLabel.Length, null, 0, 0);
        }

        if (exported != 1)
        {
            Fail("DTLS keying material export failed: " + LibCrypto.TakeErrors(), ref failed);
            return;
        }

        // RFC 5764 §4.2: client key, server key, client salt, server salt; the client protects with the client's.
        byte[] client = [.. material[..KeyLength], .. material.Slice(2 * KeyLength, SaltLength)];
        byte[] server = [.. material.Slice(KeyLength, KeyLength), .. material.Slice((2 * KeyLength) + SaltLength, SaltLength)];
        material.Clear();
        _pendingKeys = Role == DtlsRole.Client ? new SrtpKeys(suite.Value, client, server) : new SrtpKeys(suite.Value, server, client);
        State = DtlsState.AwaitingFingerprint;
        Verify(ref connected, ref failed);
    }

    private void Verify(ref SrtpKeys? connected, ref string? failed)
    {
        if (State != DtlsState.AwaitingFingerprint || _remoteFingerprint is null || _peerCertificate is null)
        {
            return;
        }

        if (!_remoteFingerprint.Matches(_peerCertificate))
        {
            // RFC 5763 §5: the certificate is not the one the signalling vouched for; the keys are never used.
            Fail($"the peer's DTLS certificate does not match its a=fingerprint ({_remoteFingerprint.Algorithm})", ref failed);
            return;
        }

        State = DtlsState.Connected;
        Keys = _pendingKeys;
        _pendingKeys = null;
        connected = Keys;
    }

    private void ReadRecords()
    {
        // After the handshake: retransmitted final flights are answered here, alerts and close_notify read; no
        // application data is expected on a DTLS-SRTP association and what comes is discarded.
        for (int i = 0; i < 8; i++)
        {
            int result;
            fixed (byte* buffer = _scratch)
            {
                result = LibSsl.Read(_ssl, buffer, _scratch.Length);
            }

            if (result > 0)
            {
                continue;
            }

            if (LibSsl.GetError(_ssl, result) == LibSsl.ErrorZeroReturn)
            {
                State = DtlsState.Closed;
            }

            LibCrypto.ClearError();
            return;
        }
    }

    private void Fail(string reason, ref string? failed)
    {
        State = DtlsState.Failed;
        FailureReason = reason;
        _pendingKeys = null;
        failed = reason;
        LibCrypto.ClearError();
    }

    /// <summary>Sends what OpenSSL wrote: whole records, packed into datagrams up to the MTU.</summary>
    private void Flush()
    {
        while (true)
        {
            int pending = (int)LibCrypto.BioControl(_writeBio, LibCrypto.ControlPending, 0, IntPtr.Zero);
            if (pending <= 0)
            {
                return;
            }

            if (pending > _output.Length)
            {
                _output = new byte[pending];
            }

            int length;
            fixed (byte* output = _output)
            {
                length = LibCrypto.BioRead(_writeBio, output, pending);
            }

            if (length <= 0)
            {
                return;
            }

            int start = 0;
            int offset = 0;
            while (offset < length)
            {
                int record = length - offset < RecordHeaderLength
                    ? length - offset
                    : Math.Min(RecordHeaderLength + BinaryPrimitives.ReadUInt16BigEndian(_output.AsSpan(offset + 11)), length - offset);
                if (offset > start && offset + record - start > _mtu)
                {
                    _sender.SendDtls(_output.AsSpan(start, offset - start));
                    start = offset;
                }

                offset += record;
            }

            _sender.SendDtls(_output.AsSpan(start, length - start));
        }
    }

    private void Rearm()
    {
        if (State is DtlsState.Failed or DtlsState.Closed)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        LibSsl.TimeValue left;
        if (LibSsl.Control(_ssl, LibSsl.ControlDtlsGetTimeout, 0, (IntPtr)(&left)) == 1)
        {
            // OpenSSL times its flights on its own clock and reports what is left; our clock wakes us then.
            var due = TimeSpan.FromMicroseconds(Math.Max(1000, ((long)left.Seconds * 1_000_000) + left.Microseconds));
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void Raise(SrtpKeys? connected, string? failed)
    {
        if (connected is not null)
        {
            Connected?.Invoke(connected);
        }

        if (failed is not null)
        {
            Failed?.Invoke(failed);
        }
    }

    private static IntPtr NewMemoryBio()
    {
        IntPtr bio = LibCrypto.BioNew(LibCrypto.MemoryBioMethod());
        if (bio == IntPtr.Zero)
        {
            throw new InvalidOperationException("OpenSSL could not make a memory BIO");
        }

        // An empty BIO says "retry" rather than end of file: the next datagram will come.
        LibCrypto.BioControl(bio, LibCrypto.ControlSetMemoryEofReturn, -1, IntPtr.Zero);
        return bio;
    }

    // RFC 6347 §4.2.4.1: start at the configured timeout (kept in the SSL's app data), double it, at most 60 s.
    [UnmanagedCallersOnly]
    private static uint NextTimeout(IntPtr ssl, uint previousMicroseconds) =>
        previousMicroseconds == 0 ? (uint)LibSsl.GetExData(ssl, 0) : Math.Min(previousMicroseconds * 2, 60_000_000u);
}
