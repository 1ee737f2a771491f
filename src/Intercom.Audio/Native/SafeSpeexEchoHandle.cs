using System.Runtime.InteropServices;

namespace Intercom.Audio.Native;

/// <summary>Owns a SpeexEchoState (speex_echo_state_destroy on release).</summary>
internal sealed class SafeSpeexEchoHandle : SafeHandle
{
    public SafeSpeexEchoHandle(nint state)
        : base(0, ownsHandle: true) => SetHandle(state);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibSpeexDsp.speex_echo_state_destroy(handle);
        return true;
    }
}
