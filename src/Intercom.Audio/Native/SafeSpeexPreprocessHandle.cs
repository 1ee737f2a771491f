using System.Runtime.InteropServices;

namespace Intercom.Audio.Native;

/// <summary>Owns a SpeexPreprocessState (speex_preprocess_state_destroy on release).</summary>
internal sealed class SafeSpeexPreprocessHandle : SafeHandle
{
    public SafeSpeexPreprocessHandle(nint state)
        : base(0, ownsHandle: true) => SetHandle(state);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibSpeexDsp.speex_preprocess_state_destroy(handle);
        return true;
    }
}
