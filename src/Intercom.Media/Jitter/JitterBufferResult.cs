namespace Intercom.Media.Jitter;

/// <summary>What the playout side should do for this frame.</summary>
public enum JitterBufferResult
{
    /// <summary>Decode the payload returned.</summary>
    Frame,

    /// <summary>
    /// Conceal one frame (the packet was lost, or the buffer is stretching to follow the target delay). The payload
    /// returned, if any, is the next packet, from which codecs with in-band FEC can rebuild the missing one.
    /// </summary>
    Conceal,

    /// <summary>Nothing to play yet (filling to the target delay, or the peer stopped sending): play silence.</summary>
    Buffering,
}
