using System.Runtime.InteropServices;

namespace Intercom.Audio.Tests;

/// <summary>Fails a test with what to install when a system library the audio layer binds to is missing.</summary>
internal static class NativeLibraries
{
    public static void RequireAlsa() => Require("libasound.so.2", "libasound2");

    public static void RequireSpeexDsp() => Require("libspeexdsp.so.1", "libspeexdsp1");

    private static void Require(string library, string package)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            Assert.Fail($"{library} is not installed: apt-get install {package}");
        }

        NativeLibrary.Free(handle);
    }
}
