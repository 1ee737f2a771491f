namespace Intercom.Image.Tests.Tools;

/// <summary>Paths in the repository these tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Image => System.IO.Path.Combine(Root, "image");

    public static string Artifacts => System.IO.Path.Combine(Root, "artifacts");

    /// <summary>The version in Directory.Build.props, which names the published folder and the package.</summary>
    public static string Version { get; } = ReadVersion();

    /// <summary>The last time a source file of the app changed: a published binary older than that is stale.</summary>
    public static DateTime NewestSourceWrite() =>
        Directory.EnumerateFiles(System.IO.Path.Combine(Root, "src"), "*", SearchOption.AllDirectories)
            .Where(file => !file.Contains("/bin/", StringComparison.Ordinal) && !file.Contains("/obj/", StringComparison.Ordinal))
            .Select(File.GetLastWriteTimeUtc)
            .DefaultIfEmpty(DateTime.MinValue)
            .Max();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Intercom.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no Intercom.sln above " + AppContext.BaseDirectory);
    }

    private static string ReadVersion()
    {
        var props = File.ReadAllText(System.IO.Path.Combine(Root, "Directory.Build.props"));
        var start = props.IndexOf("<Version>", StringComparison.Ordinal) + "<Version>".Length;
        return props[start..props.IndexOf("</Version>", start, StringComparison.Ordinal)];
    }
}
