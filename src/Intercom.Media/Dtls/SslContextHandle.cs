using Microsoft.Win32.SafeHandles;

namespace Intercom.Media.Dtls;

/// <summary>An OpenSSL <c>SSL_CTX</c>, freed once when released.</summary>
internal sealed class SslContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SslContextHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibSsl.ContextFree(handle);
        return true;
    }
}
