namespace Intercom.Tests;

public class CommandLineTests
{
    [Fact]
    public void No_arguments_means_run_with_the_default_config()
    {
        Assert.True(CommandLine.TryParse([], out var cl, out _));
        Assert.Equal("run", cl!.Command);
        Assert.Equal(CommandLine.DefaultConfigPath, cl.ConfigPath);
        Assert.False(cl.Simulate);
    }

    [Fact]
    public void Run_takes_config_and_simulate()
    {
        Assert.True(CommandLine.TryParse(["run", "--simulate", "--config", "/tmp/x.json"], out var cl, out _));
        Assert.Equal("run", cl!.Command);
        Assert.Equal("/tmp/x.json", cl.ConfigPath);
        Assert.True(cl.Simulate);
    }

    [Fact]
    public void Check_config_takes_its_file()
    {
        Assert.True(CommandLine.TryParse(["check-config", "a.json"], out var cl, out _));
        Assert.Equal("check-config", cl!.Command);
        Assert.Equal("a.json", cl.ConfigPath);
    }

    [Theory]
    [InlineData(new[] { "check-config" }, "check-config needs a FILE")]
    [InlineData(new[] { "--config" }, "--config needs a file path")]
    [InlineData(new[] { "--frobnicate" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "dance" }, "unknown command 'dance'")]
    [InlineData(new[] { "version", "extra" }, "unexpected argument 'extra'")]
    public void Bad_arguments_are_named(string[] args, string expected)
    {
        Assert.False(CommandLine.TryParse(args, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public async Task Bad_arguments_exit_with_2_and_usage_on_stderr()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await IntercomCli.RunAsync(["--nope"], stdout, stderr);
        Assert.Equal(ExitCodes.BadArgumentsOrConfig, code);
        Assert.Contains("unknown option '--nope'", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: intercom", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_assembly_version()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await IntercomCli.RunAsync(["version"], stdout, stderr));
        Assert.StartsWith($"intercom {IntercomCli.Version} (", stdout.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"^\d+\.\d+\.\d+", IntercomCli.Version);
    }
}
