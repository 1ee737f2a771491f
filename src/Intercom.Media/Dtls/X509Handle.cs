using Microsoft.Win32.SafeHandles;

namespace Intercom.Media.Dtls;

/// <summary>An OpenSSL <c>X509</c>, freed once when released.</summary>
internal sealed class X509Handle : SafeHandleZeroOrMinusOneIsInvalid
{
    public X509Handle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibCrypto.X509Free(handle);
        return true;
    }
}
