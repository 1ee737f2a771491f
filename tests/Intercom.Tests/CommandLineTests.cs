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

    [Fact]
    public void Simulate_held_holds_the_exit_button_for_a_time_or_for_the_whole_run()
    {
        Assert.True(CommandLine.TryParse(["run", "--simulate", "--simulate-held", "exit:12.5"], out var timed, out _));
        Assert.Equal("exit", timed!.SimulateHeld);
        Assert.Equal(TimeSpan.FromSeconds(12.5), timed.SimulateHeldFor);
        Assert.True(CommandLine.TryParse(["--simulate-held", "exit", "--simulate"], out var stuck, out _));
        Assert.Equal("exit", stuck!.SimulateHeld);
        Assert.Null(stuck.SimulateHeldFor);
        Assert.True(CommandLine.TryParse(["run", "--simulate"], out var none, out _));
        Assert.Null(none!.SimulateHeld);
    }

    [Theory]
    [InlineData(new[] { "run", "--simulate-held", "exit" }, "--simulate-held holds an input of the simulated board: it needs `run --simulate`")]
    [InlineData(new[] { "demo", "--simulate", "--simulate-held", "exit" }, "--simulate-held holds an input of the simulated board: it needs `run --simulate`")]
    [InlineData(new[] { "--simulate", "--simulate-held" }, "--simulate-held needs an input: exit or exit:SECONDS")]
    [InlineData(new[] { "--simulate", "--simulate-held", "button1" }, "--simulate-held: 'button1' cannot be held; only exit (the exit button, the physical reset's input)")]
    [InlineData(new[] { "--simulate", "--simulate-held", "exit:0" }, "--simulate-held: '0' is not a number of seconds from 0 to 3600")]
    [InlineData(new[] { "--simulate", "--simulate-held", "exit:-3" }, "--simulate-held: '-3' is not a number of seconds from 0 to 3600")]
    [InlineData(new[] { "--simulate", "--simulate-held", "exit:soon" }, "--simulate-held: 'soon' is not a number of seconds from 0 to 3600")]
    public void Simulate_held_is_refused_without_simulate_or_with_a_bad_value(string[] args, string expected)
    {
        Assert.False(CommandLine.TryParse(args, out _, out var error));
        Assert.Equal(expected, error);
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
