using Intercom.Audio.Native;

namespace Intercom.Audio;

/// <summary>
/// Raises the calling audio thread's scheduling priority as far as the OS lets it: SCHED_FIFO (needs CAP_SYS_NICE or an
/// rtprio limit, as systemd's LimitRTPRIO gives), else a negative nice value, else nothing. Failure is normal and silent:
/// a development machine runs audio at normal priority.
/// </summary>
internal static unsafe class AudioThreadPriority
{
    // Low real-time priority: above every normal thread, below the kernel's own interrupt threads (50).
    private const int FifoPriority = 10;
    private const int Nice = -10;

    /// <summary>Returns the policy obtained ("SCHED_FIFO 10", "nice -10" or "normal").</summary>
    public static string TryRaise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "normal";
        }

        try
        {
            // On Linux, pid 0 means the calling thread for sched_setscheduler (sched(7)); setpriority takes its tid.
            var priority = FifoPriority;
            if (LibC.sched_setscheduler(0, LibC.SchedFifo, &priority) == 0)
            {
                return "SCHED_FIFO 10";
            }

            if (LibC.setpriority(LibC.PrioProcess, (uint)LibC.gettid(), Nice) == 0)
            {
                return "nice -10";
            }
        }
        catch (DllNotFoundException)
        {
            // Not glibc: stay normal.
        }
        catch (EntryPointNotFoundException)
        {
            // An old glibc without gettid: stay normal.
        }

        return "normal";
    }
}
