using System.Runtime.InteropServices;

namespace Intercom.Hosting;

/// <summary>
/// SIGHUP is how an installer asks for a reload (`systemctl reload intercom`). A process started by a parent that ignores
/// SIGHUP (`nohup`, some supervisors and CI runners) inherits that disposition, and .NET leaves an inherited ignored
/// signal ignored even when a handler is registered for it: the reload would be lost without a word. The station sets the
/// default disposition back before it registers its handler; from then on SIGHUP reloads, and never ends the process.
/// </summary>
internal static partial class HangUpSignal
{
    private const int SigHup = 1;
    private static readonly nint Default = 0; // SIG_DFL

    public static void StopIgnoring() => _ = signal(SigHup, Default);

    [LibraryImport("libc.so.6")]
    private static partial nint signal(int signal, nint handler);
}
