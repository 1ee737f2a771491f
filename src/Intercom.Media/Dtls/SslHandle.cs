using Microsoft.Win32.SafeHandles;

namespace Intercom.Media.Dtls;

/// <summary>An OpenSSL <c>SSL</c>, freed once when released.</summary>
internal sealed class SslHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SslHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibSsl.Free(handle);
        return true;
    }
}
