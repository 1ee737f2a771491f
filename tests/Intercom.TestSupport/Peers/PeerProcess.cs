using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Intercom.TestSupport;

/// <summary>
/// A real peer (kamailio, baresip, sipsak, ...) started by a test: its output is kept line by line so the test can wait
/// for what it prints, and it is stopped by its PID (SIGTERM, then SIGKILL) however the test ends.
/// </summary>
public sealed partial class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PeerProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; private set; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IEnumerable<string> Lines => _lines;

    public string Output => string.Join('\n', _lines);

    /// <summary>Starts <paramref name="executable"/>; fails the test with what to install when it is missing.</summary>
    public static PeerProcess Start(string executable, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, bool redirectInput = false)
    {
        var path = Which(executable) ?? throw new InvalidOperationException(
            $"'{executable}' is not installed: install the Debian package that provides it (bash .ci/run installs every peer the tests use)");
        var psi = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var peer = new PeerProcess(process, Path.GetFileName(executable));
        process.OutputDataReceived += (_, e) => peer.Add(e.Data);
        process.ErrorDataReceived += (_, e) => peer.Add(e.Data);
        process.Exited += (_, _) => peer._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>
    /// Starts <paramref name="executable"/> inside a network namespace (`ip netns exec`, which execs it: the PID is the
    /// peer's own), or as <see cref="Start"/> does when <paramref name="networkNamespace"/> is null.
    /// </summary>
    public static PeerProcess StartIn(string? networkNamespace, string executable, IEnumerable<string> arguments,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (networkNamespace is null)
        {
            return Start(executable, arguments, workingDirectory, environment);
        }

        var path = Which(executable) ?? throw new InvalidOperationException(
            $"'{executable}' is not installed: install the Debian package that provides it (bash .ci/run installs every peer the tests use)");
        var peer = Start("ip", ["netns", "exec", networkNamespace, path, .. arguments], workingDirectory, environment);
        peer.Name = Path.GetFileName(executable);
        return peer;
    }

    public static string? Which(string executable)
    {
        if (executable.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(executable) ? executable : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public StreamWriter StandardInput => _process.StandardInput;

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        _lineArrived.Release();
    }

    /// <summary>Waits until a line matching <paramref name="pattern"/> has been printed (including lines printed before the call).</summary>
    public async Task<string> WaitForLineAsync(string pattern, TimeSpan timeout, int skip = 0)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var matches = _lines.Where(l => regex.IsMatch(l)).Skip(skip).FirstOrDefault();
            if (matches is not null)
            {
                return matches;
            }

            if (_process.HasExited && _lineArrived.CurrentCount == 0)
            {
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before printing /{pattern}/. Output:\n{Tail()}");
            }

            try
            {
                await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Name} did not print /{pattern}/ within {timeout.TotalSeconds:0.#} s. Output:\n{Tail()}");
            }
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _exited.Task.WaitAsync(timeout).ConfigureAwait(false);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    public string Tail(int lines = 80) => string.Join('\n', _lines.TakeLast(lines));

    /// <summary>SIGTERM, a grace period, then SIGKILL; always by PID.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = Kill(_process.Id, SigTerm);
        try
        {
            await _exited.Task.WaitAsync(grace ?? TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            // _lineArrived is not disposed: the output readers may still deliver a line after the exit (a child holding the
            // pipe, lines flushed late), and a Release on a disposed semaphore would crash the test host. It has no wait
            // handle to free (only WaitAsync is used), so leaving it to the GC costs nothing.
            _process.Dispose();
        }
    }

    /// <summary>
    /// Gives the peer's main thread (and every thread it starts from now on, which inherit it) the nice value
    /// <paramref name="nice"/>. A phone in an audio test stands for a device of its own; on CI it shares two cores with
    /// the whole suite, and at normal priority a starved peer sends its RTP in bursts after 200 ms stalls, which the
    /// station's speaker then plays as gaps that are the machine's, not the station's. False when the OS refuses.
    /// </summary>
    public bool TryRaisePriority(int nice = -10) => SetPriority(PrioProcess, (uint)_process.Id, nice) == 0;

    private const int SigTerm = 15;
    private const int PrioProcess = 0;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, uint who, int priority);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
