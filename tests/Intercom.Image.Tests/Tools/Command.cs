using System.Diagnostics;
using System.Text;

namespace Intercom.Image.Tests.Tools;

/// <summary>
/// Runs a program to completion with a bound on its time; a program still running at the bound is killed by its PID
/// (with its children) and the test fails with what it printed.
/// </summary>
public static class Command
{
    public static CommandResult Run(string program, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        var path = Which(program) ?? throw new InvalidOperationException(
            $"'{program}' is not installed: bash .ci/run installs what the image tests need (see image/README.md)");
        var psi = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        var started = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Write(standardInput ?? "");
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran longer than {timeout}:\n{stdout}\n{stderr}");
        }

        // The parameterless wait also waits for the end of the redirected output.
        process.WaitForExit();
        return new CommandResult(process.ExitCode, Text(stdout), Text(stderr), started.Elapsed);
    }

    /// <summary>Runs <paramref name="program"/> and fails the test when it exits with anything but 0.</summary>
    public static string Output(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var result = Run(program, arguments, timeout ?? TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0,
            $"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.StandardOutput}\n{result.StandardError}");
        return result.StandardOutput;
    }

    public static string? Which(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"]))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, program)))
            {
                return Path.Combine(dir, program);
            }
        }

        return null;
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.Append(line).Append('\n');
        }
    }

    private static string Text(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}
