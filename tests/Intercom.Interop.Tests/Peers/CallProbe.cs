using System.Collections.Concurrent;
using Intercom.Sip.UserAgent;

namespace Intercom.Interop.Tests.Peers;

/// <summary>Records a call's events so a test can wait for them (bounded) and check their order.</summary>
public sealed class CallProbe
{
    private readonly ConcurrentQueue<string> _events = new();
    private readonly SemaphoreSlim _signal = new(0);

    public CallProbe(SipCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        Call = call;
        call.Ringing += (_, early) => Add(early ? "ringing+media" : "ringing");
        call.Answered += _ => Add("answered");
        call.HoldChanged += (_, held) => Add(held ? "held" : "resumed");
        call.InfoReceived += (_, type, _) => Add("info " + type);
        call.Ended += c => Add($"ended {c.EndReason}");
    }

    public SipCall Call { get; }

    public IReadOnlyCollection<string> Events => _events;

    private void Add(string e)
    {
        _events.Enqueue(e);
        _signal.Release();
    }

    public async Task WaitForAsync(string prefix, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!_events.Any(e => e.StartsWith(prefix, StringComparison.Ordinal)))
        {
            try
            {
                await _signal.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"call event '{prefix}' did not come within {timeout.TotalSeconds:0.#} s; events: {string.Join(", ", _events)}");
            }
        }
    }
}
