using System.Runtime.InteropServices;

namespace Intercom.Media.Dtls;

/// <summary>
/// The OpenSSL context every DTLS-SRTP association of the station is made from: DTLS 1.2 only, our certificate and key,
/// use_srtp offering the profiles our SRTP implements (RFC 5764 §4.1.2: SRTP_AES128_CM_HMAC_SHA1_80 first, then _32;
/// no AEAD GCM, which SrtpContext does not implement), and a peer certificate demanded of both roles. OpenSSL does not
/// judge that certificate (self-signed by design); the endpoint compares its digest with the SDP's a=fingerprint
/// before any key leaves the handshake (RFC 5763 §5). One context is shared by all calls (SSL_new is thread-safe).
/// </summary>
public sealed unsafe class DtlsContext : IDisposable
{
    /// <summary>The use_srtp profile names, in our order of preference.</summary>
    internal const string SrtpProfiles = "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32";

    private static readonly Lazy<DtlsContext> Shared = new(() => new DtlsContext(DtlsCertificate.Station));

    internal DtlsContext(DtlsCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Certificate = certificate;
        LibCrypto.ClearError();
        Handle = LibSsl.ContextNew(LibSsl.DtlsMethod());
        if (Handle.IsInvalid)
        {
            throw new InvalidOperationException("OpenSSL could not make a DTLS context");
        }

        try
        {
            using X509Handle x509 = Decode(certificate.CertificateDer);
            using PrivateKeyHandle key = DecodeKey(certificate.PrivateKeyPkcs8);
            if (LibSsl.ContextUseCertificate(Handle, x509) != 1 || LibSsl.ContextUsePrivateKey(Handle, key) != 1
                || LibSsl.ContextCheckPrivateKey(Handle) != 1)
            {
                throw new InvalidOperationException("OpenSSL refused the DTLS certificate or key");
            }

            // RFC 5764 §4.1.1 needs DTLS 1.0 at least; RFC 8827 §6.5 (WebRTC) and baresip use 1.2.
            LibSsl.ContextControl(Handle, LibSsl.ControlSetMinProtocolVersion, LibSsl.Dtls12Version, IntPtr.Zero);
            LibSsl.ContextControl(Handle, LibSsl.ControlSetMaxProtocolVersion, LibSsl.Dtls12Version, IntPtr.Zero);
            if (LibSsl.ContextSetUseSrtp(Handle, SrtpProfiles) != 0)
            {
                throw new InvalidOperationException("OpenSSL has no use_srtp");
            }

            LibSsl.ContextSetVerify(Handle, LibSsl.VerifyPeer | LibSsl.VerifyFailIfNoPeerCertificate, &AcceptAnyCertificate);
            // The path MTU is ours to set (memory BIOs cannot be asked).
            LibSsl.ContextSetOptions(Handle, LibSsl.OptionNoQueryMtu);
        }
        catch
        {
            Handle.Dispose();
            LibCrypto.ClearError();
            throw;
        }
    }

    /// <summary>The context with the station's certificate, made on first use.</summary>
    public static DtlsContext Station => Shared.Value;

    /// <summary>Our certificate (its fingerprint goes into our SDP).</summary>
    public DtlsCertificate Certificate { get; }

    internal SslContextHandle Handle { get; }

    /// <summary>A context with a new certificate of its own (tests make two ends in one process).</summary>
    public static DtlsContext Create(DtlsCertificate certificate) => new(certificate);

    public void Dispose() => Handle.Dispose();

    private static X509Handle Decode(ReadOnlySpan<byte> der)
    {
        fixed (byte* start = der)
        {
            byte* cursor = start;
            X509Handle x509 = LibCrypto.DecodeX509(IntPtr.Zero, &cursor, der.Length);
            return !x509.IsInvalid ? x509 : throw new InvalidOperationException("OpenSSL could not read the DTLS certificate");
        }
    }

    private static PrivateKeyHandle DecodeKey(ReadOnlySpan<byte> pkcs8)
    {
        fixed (byte* start = pkcs8)
        {
            byte* cursor = start;
            PrivateKeyHandle key = LibCrypto.DecodePrivateKey(IntPtr.Zero, &cursor, pkcs8.Length);
            return !key.IsInvalid ? key : throw new InvalidOperationException("OpenSSL could not read the DTLS private key");
        }
    }

    // Self-signed certificates are the rule in DTLS-SRTP: the chain is not judged here, the fingerprint is (RFC 5763 §5).
    [UnmanagedCallersOnly]
    private static int AcceptAnyCertificate(int preverified, IntPtr store) => 1;
}
