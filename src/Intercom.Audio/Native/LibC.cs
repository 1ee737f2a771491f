using System.Runtime.InteropServices;

namespace Intercom.Audio.Native;

/// <summary>glibc calls for audio thread priority (sched(7), setpriority(2)) and for freeing strings alsa-lib allocates.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc.so.6";

    internal const int SchedFifo = 1;
    internal const int PrioProcess = 0;

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int sched_setscheduler(int pid, int policy, int* priority);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setpriority(int which, uint who, int priority);

    [LibraryImport(Library)]
    internal static partial int gettid();

    [LibraryImport(Library)]
    internal static partial void free(nint pointer);
}
