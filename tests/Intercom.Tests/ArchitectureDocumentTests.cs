using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Intercom.Tests;

/// <summary>
/// docs/architecture.md lists every source project with the projects it references; the list must be what the
/// .csproj files say, so the layering a newcomer reads is the layering the build enforces. It also holds the two rules
/// the layering rests on: Sip and Media know nothing of doors, and nothing below the app references the app's neighbours.
/// </summary>
public sealed partial class ArchitectureDocumentTests
{
    [Fact]
    public void The_documented_dependency_graph_is_the_project_references()
    {
        var root = RepositoryRoot();
        var document = File.ReadAllText(Path.Combine(root, "docs", "architecture.md"));
        var block = DependencyBlock().Match(document);
        Assert.True(block.Success, "docs/architecture.md has no ```dependencies block");
        var documented = block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(':', 2))
            .ToDictionary(p => p[0], p => p[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var actual = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .ToDictionary(
                path => Path.GetFileNameWithoutExtension(path) == "Intercom" ? "Intercom" : Path.GetFileNameWithoutExtension(path),
                path => XDocument.Load(path).Descendants("ProjectReference")
                    .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                    .Order(StringComparer.Ordinal).ToList(),
                StringComparer.Ordinal);

        Assert.Equal(actual.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (var (project, references) in actual)
        {
            Assert.True(references.SequenceEqual(documented[project]),
                $"{project}: the projects reference [{string.Join(", ", references)}], docs/architecture.md says [{string.Join(", ", documented[project])}]");
        }

        // The bottom knows nothing of doors, and the phone knows nothing of the file, the page or home automation.
        Assert.DoesNotContain(actual["Intercom.Sip"], r => r.Contains("Station", StringComparison.Ordinal));
        Assert.DoesNotContain(actual["Intercom.Media"], r => r.Contains("Station", StringComparison.Ordinal));
        Assert.DoesNotContain(actual["Intercom.Phone"], r => r is "Intercom.Configuration" or "Intercom.Web" or "Intercom.Integrations");
        Assert.DoesNotContain(actual["Intercom.Station"], r => r is "Intercom.Sip" or "Intercom.Media" or "Intercom.Phone");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Intercom.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no Intercom.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"```dependencies\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex DependencyBlock();
}
