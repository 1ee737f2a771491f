using System.Runtime.InteropServices;

namespace Intercom.Audio.Native;

/// <summary>Owns one snd_pcm_t; closing it (snd_pcm_close) also stops the stream.</summary>
internal sealed class SafePcmHandle : SafeHandle
{
    public SafePcmHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => LibAsound.snd_pcm_close(handle) == 0;
}
