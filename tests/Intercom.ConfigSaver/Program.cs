using Intercom.Configuration;

// Usage: Intercom.ConfigSaver PATH
// Saves two valid configurations (names "A" and "B", the second with a long list so saves differ in size) alternately
// to PATH through ConfigStore.TrySave, forever, printing "saved" once after the first save so the killer can start.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Intercom.ConfigSaver PATH");
    return 2;
}

var store = new ConfigStore(args[0]);
var a = new IntercomConfig { Name = "A" };
var b = new IntercomConfig { Name = "B" };
foreach (var config in new[] { a, b })
{
    config.Station.RingGroups[0].Targets = ["sip:resident@127.0.0.1"];
}

b.Station.Incoming.Allowlist = [.. Enumerable.Range(0, 400).Select(i => $"sip:resident{i}@example.com")];
for (var i = 0L; ; i++)
{
    if (!store.TrySave(i % 2 == 0 ? a : b, out var errors))
    {
        Console.Error.WriteLine(string.Join("; ", errors));
        return 1;
    }

    if (i == 0)
    {
        Console.WriteLine("saved");
        Console.Out.Flush();
    }
}
