using System.Runtime.InteropServices;

namespace Intercom.Audio.Native;

/// <summary>Owns an snd_config_t tree loaded from a file, for snd_pcm_open_lconf (a private ALSA configuration).</summary>
internal sealed class SafeAlsaConfigHandle : SafeHandle
{
    public SafeAlsaConfigHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => LibAsound.snd_config_delete(handle) == 0;
}
