using System.Globalization;

namespace Intercom.Reliability.Tests.Load;

/// <summary>What one flood sent and what came back, by status code.</summary>
public sealed record FloodResult(FloodKind Kind, int Sources, long Sent, TimeSpan Elapsed, IReadOnlyDictionary<int, long> ResponsesByStatus)
{
    public long Responses => ResponsesByStatus.Values.Sum();

    public double SentPerSecond => Sent / Elapsed.TotalSeconds;

    public long Count(int status) => ResponsesByStatus.TryGetValue(status, out var n) ? n : 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Kind} from {Sources} source(s): {Sent:N0} sent in {Elapsed.TotalSeconds:0.0} s ({SentPerSecond:N0}/s), {Responses:N0} answered ({string.Join(", ", ResponsesByStatus.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value:N0}"))})");
}
