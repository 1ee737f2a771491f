using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Intercom.Interop.Tests.Ship;

/// <summary>
/// The NativeAOT binary as it ships. publish.ps1 writes it to artifacts/intercom-VERSION-RID/ (CI runs it before the
/// tests); when that is missing or older than the sources, the tests publish it themselves, the same way, into
/// artifacts/.test-cache/ so `dotnet test Intercom.sln` alone still works. Publishes are serialised: two at once would
/// race on the projects' restore files.
/// </summary>
public static class PublishedStation
{
    private static readonly SemaphoreSlim OnePublishAtATime = new(1, 1);
    private static readonly Dictionary<string, Task<string>> Published = new(StringComparer.Ordinal);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Version { get; } = ReadVersion();

    public static string ArtifactsDirectory => Path.Combine(RepositoryRoot, "artifacts");

    public static string CacheDirectory => Path.Combine(ArtifactsDirectory, ".test-cache");

    public static string ExampleConfig => Path.Combine(RepositoryRoot, "src", "Intercom", "intercom.example.json");

    /// <summary>The folder holding `intercom` (and any native library beside it) for <paramref name="rid"/>.</summary>
    public static Task<string> DirectoryFor(string rid)
    {
        lock (Published)
        {
            if (!Published.TryGetValue(rid, out var task) || task.IsFaulted)
            {
                task = Task.Run(() => LocateOrPublishAsync(rid));
                Published[rid] = task;
            }

            return task;
        }
    }

    public static async Task<string> BinaryFor(string rid) => Path.Combine(await DirectoryFor(rid).ConfigureAwait(false), "intercom");

    /// <summary>Fails with the package to install when <paramref name="tool"/> is not on PATH.</summary>
    public static string RequireTool(string tool, string debianPackage) =>
        PeerProcess.Which(tool) ?? throw new InvalidOperationException(
            $"'{tool}' is not installed: apt-get install {debianPackage} (bash .ci/run installs everything the tests use)");

    private static async Task<string> LocateOrPublishAsync(string rid)
    {
        var sourcesChanged = NewestSourceWrite();
        var fromPublishScript = Path.Combine(ArtifactsDirectory, $"intercom-{Version}-{rid}");
        if (IsFresh(fromPublishScript, sourcesChanged))
        {
            return fromPublishScript;
        }

        var cached = Path.Combine(CacheDirectory, $"intercom-{Version}-{rid}");
        await OnePublishAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            if (IsFresh(cached, sourcesChanged))
            {
                return cached;
            }

            RequireTool("clang", "clang");
            if (rid == "linux-arm64")
            {
                RequireTool("ld.lld", "lld");
                RequireTool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu libc6-dev-arm64-cross");
            }

            string[] arguments =
            [
                "publish", Path.Combine(RepositoryRoot, "src", "Intercom", "Intercom.csproj"), "-c", "Release", "-r", rid,
                "-o", cached, "-p:PublishAot=true", "-p:TreatWarningsAsErrors=true", "-nologo",
                .. rid == "linux-arm64" ? new[] { "-p:LinkerFlavor=lld" } : [],
            ];
            var (exitCode, output) = await RunAsync("dotnet", arguments, TimeSpan.FromMinutes(20)).ConfigureAwait(false);
            if (exitCode != 0 || !File.Exists(Path.Combine(cached, "intercom")))
            {
                throw new InvalidOperationException($"dotnet publish -r {rid} failed ({exitCode}):\n{output}");
            }

            return cached;
        }
        finally
        {
            OnePublishAtATime.Release();
        }
    }

    /// <summary>Runs a command to completion within <paramref name="timeout"/>; stdout and stderr together.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout,
        string? standardInput = null)
    {
        var psi = new ProcessStartInfo(executable, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', arguments)} did not finish within {timeout.TotalMinutes:0.#} min");
        }

        return (process.ExitCode, (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false)));
    }

    private static bool IsFresh(string directory, DateTime sourcesChanged)
    {
        var binary = Path.Combine(directory, "intercom");
        return File.Exists(binary) && File.GetLastWriteTimeUtc(binary) >= sourcesChanged;
    }

    /// <summary>When the app's sources (code, projects, build settings) last changed; a binary older than that is stale.</summary>
    private static DateTime NewestSourceWrite()
    {
        var newest = DateTime.MinValue;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "src"), "*", SearchOption.AllDirectories))
        {
            if (file.Contains("/bin/", StringComparison.Ordinal) || file.Contains("/obj/", StringComparison.Ordinal)
                || !(file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".csproj", StringComparison.Ordinal)))
            {
                continue;
            }

            var written = File.GetLastWriteTimeUtc(file);
            if (written > newest)
            {
                newest = written;
            }
        }

        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props" })
        {
            var written = File.GetLastWriteTimeUtc(Path.Combine(RepositoryRoot, file));
            if (written > newest)
            {
                newest = written;
            }
        }

        return newest;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Intercom.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Intercom.sln above {AppContext.BaseDirectory}");
    }

    private static string ReadVersion()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props"));
        return props.Descendants("Version").First().Value;
    }

    /// <summary>The machine the tests run on, as a .NET runtime identifier.</summary>
    public static string HostRid => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
}
