using System.Runtime.InteropServices;

namespace Intercom.Audio.Native;

/// <summary>
/// Puts a pipe behind the process's file descriptor 2, so that text which native libraries write to stderr themselves
/// (speexdsp's speex_warning is a compile-time fprintf, with no callback to register) can be read back as lines. Whatever
/// the reader does not consume is written on to the original stderr at once; <see cref="Restore"/> puts the original
/// descriptor back (before a crash report, at exit) and lets the reader drain what is left.
/// </summary>
internal sealed unsafe partial class StderrPipe : IDisposable
{
    private const int StandardError = 2;
    private const int CloseOnExec = 0x80000; // O_CLOEXEC: a child process (the updater, a tool) inherits the real stderr only.

    private readonly int original;
    private readonly int readEnd;
    private int writeEnd;

    private StderrPipe(int original, int readEnd, int writeEnd)
    {
        this.original = original;
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
    }

    /// <summary>The pipe in place on descriptor 2, or null (with the reason) when the system refused a step.</summary>
    public static StderrPipe? TryInstall(out string? failure)
    {
        var ends = stackalloc int[2];
        if (pipe2(ends, CloseOnExec) != 0)
        {
            failure = $"pipe2: errno {Marshal.GetLastPInvokeError()}";
            return null;
        }

        var original = fcntl(StandardError, FcntlDuplicateCloseOnExec, 3);
        if (original < 0 || dup2(ends[1], StandardError) < 0)
        {
            failure = $"dup: errno {Marshal.GetLastPInvokeError()}";
            _ = close(ends[0]);
            _ = close(ends[1]);
            if (original >= 0)
            {
                _ = close(original);
            }

            return null;
        }

        failure = null;
        return new StderrPipe(original, ends[0], ends[1]);
    }

    private const int FcntlDuplicateCloseOnExec = 1030; // F_DUPFD_CLOEXEC

    /// <summary>Blocks until bytes arrive; 0 once every write end is closed (after <see cref="Restore"/>).</summary>
    public int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = read(readEnd, p, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                if (Marshal.GetLastPInvokeError() != 4) // EINTR: a signal, read again
                {
                    return 0;
                }
            }
        }
    }

    /// <summary>Writes to the stderr the process had before the pipe (the journal under systemd, the terminal by hand).</summary>
    public void WriteThrough(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            var offset = 0;
            while (offset < bytes.Length)
            {
                var n = write(original, p + offset, (nuint)(bytes.Length - offset));
                if (n < 0 && Marshal.GetLastPInvokeError() == 4)
                {
                    continue;
                }

                if (n <= 0)
                {
                    return;
                }

                offset += (int)n;
            }
        }
    }

    /// <summary>
    /// Descriptor 2 is the original stderr again; the pipe's last write end is closed so the reader sees end of file after
    /// the bytes already in it. Safe to call more than once and from any thread (a crash handler included).
    /// </summary>
    public void Restore()
    {
        var end = Interlocked.Exchange(ref writeEnd, -1);
        if (end < 0)
        {
            return;
        }

        _ = dup2(original, StandardError);
        _ = close(end);
    }

    public void Dispose()
    {
        Restore();
        _ = close(readEnd);
        _ = close(original);
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int dup2(int oldFd, int newFd);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nuint count);
}
