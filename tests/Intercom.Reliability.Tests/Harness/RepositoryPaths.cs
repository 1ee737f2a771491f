namespace Intercom.Reliability.Tests.Harness;

/// <summary>Files of the repository the tests read in place (fuzz corpora and findings).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Intercom.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Intercom.sln not found above " + AppContext.BaseDirectory);
    }
}
