using Microsoft.Win32.SafeHandles;

namespace Intercom.Media.Dtls;

/// <summary>An OpenSSL <c>EVP_PKEY</c>, freed once when released.</summary>
internal sealed class PrivateKeyHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public PrivateKeyHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibCrypto.PrivateKeyFree(handle);
        return true;
    }
}
