using Intercom.Image.Tests.Tools;

namespace Intercom.Image.Tests;

/// <summary>
/// One image built by image/build-image.sh from Debian packages, shared by the tests that read it. The intercom package
/// comes from INTERCOM_IMAGE_DEB when set, else from publish.ps1 (artifacts/intercom_VERSION_arm64.deb, when newer than
/// the sources); otherwise it is made with image/build-deb.sh from publish.ps1's arm64 folder (when newer than the
/// sources) or from a publish of our own.
/// INTERCOM_IMAGE_APT_CACHE names a folder that keeps the downloaded Debian packages between runs. INTERCOM_IMAGE_FILE
/// (with INTERCOM_IMAGE_DEB, the package it holds) checks an image built beforehand instead of building one.
/// </summary>
public sealed class BuiltImage : IDisposable
{
    public const string Hostname = "intercom";

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(40);

    public BuiltImage()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("intercom-image-test-").FullName;
        Package = Environment.GetEnvironmentVariable("INTERCOM_IMAGE_DEB") is { Length: > 0 } given ? given : BuildPackage();
        Path = System.IO.Path.Combine(Directory, "intercom.img");
        if (Environment.GetEnvironmentVariable("INTERCOM_IMAGE_FILE") is { Length: > 0 } prebuilt)
        {
            Command.Output("cp", ["--sparse=always", prebuilt, Path], TimeSpan.FromMinutes(5));
            BuildOutput = "";
            return;
        }

        List<string> arguments = [System.IO.Path.Combine(Repository.Image, "build-image.sh"), "--deb", Package, "--output", Path];
        if (Environment.GetEnvironmentVariable("INTERCOM_IMAGE_APT_CACHE") is { Length: > 0 } cache)
        {
            arguments.AddRange(["--cache", cache]);
        }

        var build = Command.Run("bash", arguments, BuildTimeout);
        BuildOutput = build.StandardOutput;
        BuildTime = build.Elapsed;
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"build-image.sh failed ({build.ExitCode}) after {build.Elapsed}:\n{build.StandardOutput}\n{build.StandardError}");
        }

        Console.WriteLine($"image/build-image.sh took {BuildTime.TotalSeconds:F0} s");
    }

    /// <summary>A scratch folder of this test run, removed at the end.</summary>
    public string Directory { get; }

    public string Package { get; }

    public string Path { get; }

    public string BuildOutput { get; }

    public TimeSpan BuildTime { get; }

    public DiskImage Image => new(Path);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private string BuildPackage()
    {
        // publish.ps1 (which CI runs before the tests) writes the package itself.
        var package = System.IO.Path.Combine(Repository.Artifacts, $"intercom_{Repository.Version}_arm64.deb");
        if (File.Exists(package) && File.GetLastWriteTimeUtc(package) >= Repository.NewestSourceWrite())
        {
            return package;
        }

        var published = System.IO.Path.Combine(Repository.Artifacts, $"intercom-{Repository.Version}-linux-arm64");
        var binary = System.IO.Path.Combine(published, "intercom");
        if (!File.Exists(binary) || File.GetLastWriteTimeUtc(binary) < Repository.NewestSourceWrite())
        {
            published = System.IO.Path.Combine(Directory, "publish");
            Command.Output("dotnet",
                [
                    "publish", System.IO.Path.Combine(Repository.Root, "src", "Intercom", "Intercom.csproj"), "-c", "Release",
                    "-r", "linux-arm64", "-o", published, "-p:PublishAot=true", "-p:LinkerFlavor=lld", "-nologo",
                ],
                PublishTimeout);
        }

        var output = Command.Output("bash",
            [System.IO.Path.Combine(Repository.Image, "build-deb.sh"), "--arch", "arm64", "--input", published, "--output", Directory],
            TimeSpan.FromMinutes(3));
        return output.Trim().Split('\n')[^1];
    }
}
