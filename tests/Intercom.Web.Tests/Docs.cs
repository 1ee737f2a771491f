namespace Intercom.Web.Tests;

/// <summary>Where the browser tests put the page's screenshots: the repository's docs/ folder (shown in the README).</summary>
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
        var docs = Path.Combine(directory.FullName, "docs");
        Directory.CreateDirectory(docs);
        return Path.Combine(docs, name);
    }
}
