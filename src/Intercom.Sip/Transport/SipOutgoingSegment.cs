using System.Buffers;

namespace Intercom.Sip.Transport;

/// <summary>Bytes queued on a connection, with who to tell if they cannot be written.</summary>
internal readonly record struct SipOutgoingSegment(byte[] Buffer, int Length, bool Pooled, ISipTransportErrorHandler? Handler)
{
    public void Release()
    {
        if (Pooled)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}
