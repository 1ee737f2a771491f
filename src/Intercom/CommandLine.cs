namespace Intercom;

/// <summary>The parsed command line: a command and its options.</summary>
public sealed class CommandLine
{
    public const string DefaultConfigPath = "/etc/intercom/intercom.json";

    public const string Usage = """
        usage: intercom [command] [options]

        commands:
          run                  run the station (default)
          demo                 a self-contained scenario on loopback: button, call, code, door
          check-config FILE    validate a configuration file as `run` would and exit
                               (example secrets refused; with --simulate as `run --simulate`)
          version              print the version and exit

        options:
          --config PATH        configuration file (default /etc/intercom/intercom.json)
          --simulate           simulated board, and null/WAV audio when no ALSA device
          -h, --help           this text
        """;

    public string Command { get; private init; } = "run";

    public string ConfigPath { get; private init; } = DefaultConfigPath;

    public bool Simulate { get; private init; }

    public bool Help { get; private init; }

    /// <summary>Parses the arguments; on failure <paramref name="error"/> says which argument and why.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out CommandLine? commandLine, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        commandLine = null;
        error = null;
        string? command = null;
        string? configPath = null;
        string? positional = null;
        var simulate = false;
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "--help":
                    help = true;
                    break;
                case "--simulate":
                    simulate = true;
                    break;
                case "--config":
                    if (i + 1 >= args.Count)
                    {
                        error = "--config needs a file path";
                        return false;
                    }

                    configPath = args[++i];
                    break;
                case "run" or "demo" or "check-config" or "version" when command is null:
                    command = arg;
                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        error = $"unknown option '{arg}'";
                        return false;
                    }

                    if (command == "check-config" && positional is null)
                    {
                        positional = arg;
                        break;
                    }

                    error = command is null ? $"unknown command '{arg}'" : $"unexpected argument '{arg}'";
                    return false;
            }
        }

        command ??= "run";
        if (command == "check-config" && positional is null && configPath is null && !help)
        {
            error = "check-config needs a FILE";
            return false;
        }

        commandLine = new CommandLine
        {
            Command = command,
            ConfigPath = positional ?? configPath ?? DefaultConfigPath,
            Simulate = simulate,
            Help = help,
        };
        return true;
    }
}
