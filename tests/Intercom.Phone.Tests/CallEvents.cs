using Intercom.Station.Calls;

namespace Intercom.Phone.Tests;

/// <summary>The call events raised so far with the account each call was on then, and a wait for the next of a kind.</summary>
internal sealed class CallEvents
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly List<(CallEventArgs Event, string? Account)> _events = [];
    private readonly SemaphoreSlim _added = new(0);

    public static CallEvents Of(SipPhone phone)
    {
        var events = new CallEvents();
        phone.Calls.CallEvent += (_, e) =>
        {
            lock (events._events)
            {
                events._events.Add((e, phone.Calls.AccountOf(e.Call)));
            }

            events._added.Release();
        };
        return events;
    }

    public IReadOnlyList<CallEventArgs> Of(CallHandle call)
    {
        lock (_events)
        {
            return [.. _events.Where(e => e.Event.Call == call).Select(e => e.Event)];
        }
    }

    public string? AccountAt(CallEventArgs e)
    {
        lock (_events)
        {
            return _events.First(x => x.Event == e).Account;
        }
    }

    public async Task<CallEventArgs> WaitAsync(CallHandle call, CallEventKind kind)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            if (Of(call).FirstOrDefault(e => e.Kind == kind) is { } found)
            {
                return found;
            }

            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero && await _added.WaitAsync(left), $"no {kind} event for the call within {Wait}");
        }
    }
}
