using System.Text;
using System.Text.RegularExpressions;

namespace Intercom.Configuration.Tests;

/// <summary>
/// The minimal configuration the README shows a newcomer (one account, one ring group) is valid as printed: the test
/// reads it from README.md, so the guide cannot drift from what the station accepts.
/// </summary>
public partial class MinimalConfigurationTests
{
    [Fact]
    public void The_readme_minimal_configuration_loads_with_one_account_and_one_ring_group()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## A minimal configuration", StringComparison.Ordinal)..];
        var json = JsonBlock().Match(section).Groups[1].Value;

        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out var config, out var errors), string.Join("\n", errors));
        var account = Assert.Single(config!.Accounts);
        Assert.Equal("sip:door@pbx.example.net", account.Aor);
        Assert.True(account.Register);
        Assert.Equal(["sip:101@pbx.example.net"], Assert.Single(config.Station.RingGroups).Targets);
        // Opens nothing by itself: no codes, nobody let in.
        Assert.Empty(config.Station.Codes);
        Assert.Empty(config.Station.Incoming.Allowlist);
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

    [GeneratedRegex(@"```jsonc\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
