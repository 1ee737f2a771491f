using Intercom.Fuzz;
using Intercom.Reliability.Tests.Harness;

namespace Intercom.Reliability.Tests.Fuzz;

/// <summary>
/// The CI smoke of every SharpFuzz target (the long libFuzzer runs are in tests/Intercom.Fuzz/README.md): each checked-in
/// seed and each fixed finding runs once, then a fixed-seed mutator derives inputs from the seeds (bit flips, byte
/// changes, insertions, deletions, splices). No target may throw for any of them.
/// </summary>
public sealed class FuzzSmokeTests
{
    private const int MutationsPerTarget = 20_000;

    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seeds_findings_and_mutations_of_them_never_throw(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var seeds = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "Intercom.Fuzz", "corpus", name)).Select(File.ReadAllBytes).ToList();
        var findings = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "Intercom.Fuzz", "findings"), name + "-*").Select(File.ReadAllBytes).ToList();
        Assert.NotEmpty(seeds);
        foreach (var input in seeds.Concat(findings))
        {
            target(input);
        }

        var random = new Random(4733);
        var pool = seeds.Concat(findings).ToList();
        for (var i = 0; i < MutationsPerTarget; i++)
        {
            var input = Mutate(pool[random.Next(pool.Count)], pool[random.Next(pool.Count)], random);
            try
            {
                target(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"{name}: input {Convert.ToBase64String(input)} threw {e}");
            }
        }
    }

    private static byte[] Mutate(byte[] seed, byte[] other, Random random)
    {
        var bytes = new List<byte>(seed);
        var edits = 1 + random.Next(8);
        for (var e = 0; e < edits; e++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16)));
                    break;
                case 4 when other.Length > 0:
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(1 + random.Next(32)));
                    break;
                default:
                    // Interesting values: the boundaries parsers get wrong.
                    bytes.Insert(at, (byte)(random.Next(2) == 0 ? 0xFF : random.Next(4) switch { 0 => 0, 1 => 0x7F, 2 => 0x80, _ => (int)'\n' }));
                    break;
            }
        }

        return [.. bytes];
    }
}
