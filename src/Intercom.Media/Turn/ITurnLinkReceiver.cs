namespace Intercom.Media.Turn;

/// <summary>What a stream link reads: whole frames (one STUN or ChannelData message each), then its end.</summary>
internal interface ITurnLinkReceiver
{
    void OnFrame(ReadOnlySpan<byte> frame);

    void OnLinkClosed(string reason);
}
