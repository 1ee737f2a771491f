namespace Intercom.Web.Tests;

/// <summary>
/// Where the browser tests put the page's screenshots: artifacts/screenshots/ (ignored by git), so a test run leaves the
/// working tree as it found it; with INTERCOM_UPDATE_SCREENSHOTS=1 the repository's docs/ folder, whose pictures the
/// web guide shows.
/// </summary>
internal static class Docs
{
    public static string Screenshot(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Intercom.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var target = Environment.GetEnvironmentVariable("INTERCOM_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(directory.FullName, "docs")
            : Path.Combine(directory.FullName, "artifacts", "screenshots");
        Directory.CreateDirectory(target);
        return Path.Combine(target, name);
    }
}
