using System.Diagnostics;

namespace Intercom.Sip.Tests.Interop;

/// <summary>Runs an installed command-line peer with a bounded time, killing it by PID if it overstays.</summary>
internal static class ExternalTool
{
    public static string Find(string name, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        Assert.Fail($"{name} is not installed: install {package} (apt-get install {package}).");
        return name;
    }

    public static (int ExitCode, string Output) Run(string path, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + path);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            // Only the process this test started, by its PID.
            process.Kill(entireProcessTree: false);
            process.WaitForExit(TimeSpan.FromSeconds(5));
            Assert.Fail($"{Path.GetFileName(path)} (pid {process.Id}) did not finish within {timeout.TotalSeconds} s and was killed.");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
