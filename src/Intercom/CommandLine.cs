namespace Intercom;

/// <summary>The parsed command line: a command and its options.</summary>
internal sealed class CommandLine
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
          --simulate-held exit[:SECONDS]
                               with --simulate: the exit button held from the start, let go
                               after SECONDS (default: never, a stuck button); the physical reset
          -h, --help           this text
        """;

    public string Command { get; private init; } = "run";

    public string ConfigPath { get; private init; } = DefaultConfigPath;

    public bool Simulate { get; private init; }

    public bool Help { get; private init; }

    /// <summary>The longest hold `--simulate-held` takes (an hour): longer is "never let go", which needs no number.</summary>
    public static readonly TimeSpan MaxSimulatedHold = TimeSpan.FromHours(1);

    /// <summary>`--simulate-held exit[:SECONDS]`: the simulated input held from the start (only the exit button), or null.</summary>
    public string? SimulateHeld { get; private init; }

    /// <summary>How long <see cref="SimulateHeld"/> stays held; null: for the whole run (a stuck input).</summary>
    public TimeSpan? SimulateHeldFor { get; private init; }

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
        string? held = null;
        TimeSpan? heldFor = null;
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
                case "--simulate-held":
                    if (i + 1 >= args.Count || !TryParseHeld(args[++i], out held, out heldFor, out error))
                    {
                        error ??= "--simulate-held needs an input: exit or exit:SECONDS";
                        return false;
                    }

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

        if (held is not null && (!simulate || command != "run"))
        {
            // On real hardware a held input is a person at the button, never an option.
            error = "--simulate-held holds an input of the simulated board: it needs `run --simulate`";
            return false;
        }

        commandLine = new CommandLine
        {
            Command = command,
            ConfigPath = positional ?? configPath ?? DefaultConfigPath,
            Simulate = simulate,
            Help = help,
            SimulateHeld = held,
            SimulateHeldFor = heldFor,
        };
        return true;
    }

    // "exit" or "exit:SECONDS" (SECONDS a number above 0, at most an hour).
    private static bool TryParseHeld(string value, out string? input, out TimeSpan? duration, out string? error)
    {
        input = null;
        duration = null;
        error = null;
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? value : value[..colon];
        if (name != "exit")
        {
            error = $"--simulate-held: '{name}' cannot be held; only exit (the exit button, the physical reset's input)";
            return false;
        }

        if (colon >= 0)
        {
            if (!double.TryParse(value[(colon + 1)..], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                || seconds <= 0 || seconds > MaxSimulatedHold.TotalSeconds)
            {
                error = $"--simulate-held: '{value[(colon + 1)..]}' is not a number of seconds from 0 to {MaxSimulatedHold.TotalSeconds:0}";
                return false;
            }

            duration = TimeSpan.FromSeconds(seconds);
        }

        input = name;
        return true;
    }
}
