namespace Intercom.Tests;

/// <summary>
/// `intercom check-config` judges a file as `intercom run` would: example secrets refused (with --simulate, as
/// `run --simulate`, accepted); a valid file that is not set up yet is ok with warnings naming what is missing. And
/// `intercom run` on its own hardware refuses to start on an example code.
/// </summary>
public sealed class CheckConfigTests : IDisposable
{
    private const string ExampleCode = """
        { "station": { "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ],
                       "codes": [ { "id": "resident", "code": "1234", "relay": "door" } ] } }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RepositoryFile(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Intercom.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine([directory?.FullName ?? throw new InvalidOperationException("repository root not found"), .. parts]);
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await IntercomCli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task The_shipped_configuration_is_ok_and_lists_what_is_not_set_up()
    {
        var path = RepositoryFile("src", "Intercom", "intercom.example.json");

        var (code, output, errors) = await Run("check-config", path);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Empty(errors);
        Assert.Equal(
            [
                $"{path}: ok (0 account(s))",
                $"{path}: warning: no door codes (station.codes): nobody can open the door with a code",
                $"{path}: warning: no ring group targets (station.ringGroups[].targets): the call button calls nobody",
                $"{path}: warning: no SIP account (accounts): the station is registered nowhere and calls only full SIP URIs",
            ],
            output.TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public async Task An_example_code_is_refused_as_run_would_unless_simulated()
    {
        var path = Path.Combine(_dir, "intercom.json");
        File.WriteAllText(path, ExampleCode);

        var (code, _, errors) = await Run("check-config", path);
        Assert.Equal(ExitCodes.BadArgumentsOrConfig, code);
        Assert.Equal($"{path}: station.codes[0].code: is an example value from the documentation: choose your own", errors.Trim());
        Assert.DoesNotContain("1234", errors, StringComparison.Ordinal);

        (code, var output, _) = await Run("check-config", "--simulate", path);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.StartsWith($"{path}: ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_on_real_hardware_refuses_to_start_on_an_example_code()
    {
        var path = Path.Combine(_dir, "intercom.json");
        File.WriteAllText(path, ExampleCode);

        // Refused while loading, before any GPIO or socket is opened.
        var (code, _, _) = await Run("run", "--config", path);

        Assert.Equal(ExitCodes.BadArgumentsOrConfig, code);
    }
}
