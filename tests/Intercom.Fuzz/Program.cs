using Intercom.Fuzz;
using SharpFuzz;

// Usage (see README.md):
//   Intercom.Fuzz TARGET                    run under libFuzzer (libfuzzer-dotnet --target_path=... --target_arg=TARGET)
//   Intercom.Fuzz TARGET --afl              run under AFL++ (afl-fuzz ... -- Intercom.Fuzz TARGET --afl)
//   Intercom.Fuzz TARGET --replay DIR|FILE  run each input once in-process and report (no fuzzer; for corpora and crash files)
if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: Intercom.Fuzz <{string.Join('|', FuzzTargets.Names)}> [--afl | --replay PATH]");
    return 2;
}

if (args.Length >= 3 && args[1] == "--replay")
{
    string[] files = Directory.Exists(args[2]) ? Directory.GetFiles(args[2], "*", SearchOption.AllDirectories) : [args[2]];
    int failures = 0;
    foreach (string file in files)
    {
        try
        {
            target(File.ReadAllBytes(file));
        }
#pragma warning disable CA1031 // Replay reports every failing input instead of stopping at the first.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failures++;
            Console.Error.WriteLine($"{file}: {e}");
        }
    }

    Console.WriteLine($"{files.Length} inputs, {failures} failures");
    return failures == 0 ? 0 : 1;
}

if (args.Length >= 2 && args[1] == "--afl")
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    });
    return 0;
}

Fuzzer.LibFuzzer.Run(target);
return 0;
