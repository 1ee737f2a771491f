using System.Reflection;
using System.Runtime.InteropServices;
using Intercom.Configuration;
using Intercom.Hosting;

namespace Intercom;

/// <summary>Entry point behind Program.cs: dispatches the commands and maps outcomes to exit codes.</summary>
internal static class IntercomCli
{
    public static string Version =>
        typeof(IntercomCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!CommandLine.TryParse(args, out var commandLine, out var error))
        {
            await stderr.WriteLineAsync($"intercom: {error}").ConfigureAwait(false);
            await stderr.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
            return ExitCodes.BadArgumentsOrConfig;
        }

        if (commandLine!.Help)
        {
            await stdout.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        switch (commandLine.Command)
        {
            case "version":
                await stdout.WriteLineAsync($"intercom {Version} ({RuntimeInformation.RuntimeIdentifier}, {RuntimeInformation.FrameworkDescription})").ConfigureAwait(false);
                return ExitCodes.Ok;
            case "demo":
                return await Demo.RunAsync(stdout, stderr).ConfigureAwait(false);
            case "check-config":
                return await CheckConfigAsync(commandLine.ConfigPath, !commandLine.Simulate, stdout, stderr).ConfigureAwait(false);
            default:
                return await StationHost.RunAsync(commandLine, stdout, stderr).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Says whether `intercom run` would start with the file, so it judges the same way: example secrets are refused unless
    /// --simulate is given (as `run --simulate` accepts them). What is valid but not set up yet is printed as warnings.
    /// </summary>
    private static async Task<int> CheckConfigAsync(string path, bool runsForReal, TextWriter stdout, TextWriter stderr)
    {
        if (ConfigLoader.TryLoad(path, out var config, out var errors, runsForReal))
        {
            await stdout.WriteLineAsync($"{path}: ok ({config!.Accounts.Count} account(s))").ConfigureAwait(false);
            foreach (var missing in SetupStatus.Missing(config))
            {
                await stdout.WriteLineAsync($"{path}: warning: {missing}").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }

        foreach (var e in errors)
        {
            await stderr.WriteLineAsync($"{path}: {e}").ConfigureAwait(false);
        }

        return ExitCodes.BadArgumentsOrConfig;
    }
}
