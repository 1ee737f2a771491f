using System.Diagnostics;

namespace Intercom.Tests;

/// <summary>The real process: started as a child, told to stop with SIGTERM, it must exit 0 (systemd's clean stop).</summary>
public sealed class SignalShutdownTests
{
    [Fact]
    public async Task Sigterm_stops_the_station_with_exit_code_0()
    {
        var app = Path.Combine(AppContext.BaseDirectory, "intercom.dll");
        var config = Path.Combine(Directory.CreateTempSubdirectory("intercom-sig-").FullName, "intercom.json");
        File.WriteAllText(config, """{ "name": "Signal test", "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 0 } ] }, "station": { "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ], "eventLog": { "persistPath": null } } }""");
        var psi = new ProcessStartInfo("dotnet", [app, "run", "--simulate", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                output.Enqueue(e.Data);
                if (e.Data.Contains("starting", StringComparison.Ordinal))
                {
                    started.TrySetResult();
                }
            };
            process.BeginOutputReadLine();
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, Kill(process.Id, 15));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(cts.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains(output, line => line.StartsWith("<6>", StringComparison.Ordinal) && line.Contains("stopped", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
