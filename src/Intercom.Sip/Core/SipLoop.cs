using System.Collections.Concurrent;

namespace Intercom.Sip.Core;

/// <summary>
/// The single thread that owns all SIP state (transactions, dialogs, registrations). Transports post received
/// messages into it and timers fire into it, so protocol code needs no locks: everything it touches is only touched
/// here. See DESIGN.md "Threading and time".
/// </summary>
public sealed class SipLoop : IDisposable
{
    private readonly ConcurrentQueue<WorkItem> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread? _thread;
    private readonly int _ownerThreadId;
    private bool _draining;

    /// <summary>Creates a loop.</summary>
    /// <param name="timeProvider">Clock for every SIP timer; FakeTimeProvider in tests.</param>
    /// <param name="mode">Dedicated thread (production) or caller-thread pumping (deterministic tests).</param>
    public SipLoop(TimeProvider timeProvider, SipLoopMode mode = SipLoopMode.DedicatedThread)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
        Mode = mode;
        if (mode == SipLoopMode.DedicatedThread)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "sip-loop" };
            _ownerThreadId = -1;
            _thread.Start();
        }
        else
        {
            _ownerThreadId = Environment.CurrentManagedThreadId;
        }
    }

    /// <summary>The clock all SIP timers use.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>How posted work is run.</summary>
    public SipLoopMode Mode { get; }

    /// <summary>True when the caller is running on the loop (in <see cref="SipLoopMode.CallerThread"/>, the owner thread).</summary>
    public bool IsOnLoop => _thread is null
        ? Environment.CurrentManagedThreadId == _ownerThreadId
        : Thread.CurrentThread == _thread;

    /// <summary>Called with any exception that escapes a work item; the loop keeps running. Bugs only, never bad input.</summary>
    public Action<Exception>? UnhandledException { get; set; }

    /// <summary>Queues <paramref name="callback"/> to run on the loop. Passing the state separately avoids a closure per call.</summary>
    public void Post(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        Enqueue(new WorkItem(callback, state, null, 0));
    }

    /// <summary>Queues <paramref name="action"/> to run on the loop.</summary>
    public void Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Enqueue(new WorkItem(static s => ((Action)s!)(), action, null, 0));
    }

    /// <summary>Creates a stopped one-shot timer whose callback runs on this loop.</summary>
    public SipTimer CreateTimer(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new SipTimer(this, callback, state);
    }

    /// <summary>
    /// Runs everything queued so far on the calling thread (<see cref="SipLoopMode.CallerThread"/> only) and returns how
    /// many items ran.
    /// </summary>
    public int RunPending()
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException("RunPending is for SipLoopMode.CallerThread.");
        }

        return Drain();
    }

    /// <summary>Stops the loop thread; queued work is discarded.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        if (_thread is not null && Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        _signal.Dispose();
        _stop.Dispose();
    }

    internal void PostTimerTick(SipTimer timer, int generation) =>
        Enqueue(new WorkItem(null, null, timer, generation));

    private void Enqueue(in WorkItem item)
    {
        _queue.Enqueue(item);
        if (_thread is not null)
        {
            if (!_stop.IsCancellationRequested)
            {
                _signal.Release();
            }

            return;
        }

        // CallerThread mode: run at once when posted from the owner thread (and not re-entrantly), so a FakeTimeProvider
        // advance or a test's fake transport drives the protocol synchronously.
        if (Environment.CurrentManagedThreadId == _ownerThreadId && !_draining)
        {
            Drain();
        }
    }

    private int Drain()
    {
        if (_draining)
        {
            return 0;
        }

        _draining = true;
        var count = 0;
        try
        {
            while (_queue.TryDequeue(out var item))
            {
                Execute(item);
                count++;
            }
        }
        finally
        {
            _draining = false;
        }

        return count;
    }

    private void Run()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                _signal.Wait(token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            while (!token.IsCancellationRequested && _queue.TryDequeue(out var item))
            {
                Execute(item);
            }
        }
    }

    private void Execute(in WorkItem item)
    {
        try
        {
            if (item.Timer is not null)
            {
                item.Timer.Fire(item.Generation);
            }
            else
            {
                item.Callback!(item.State);
            }
        }
#pragma warning disable CA1031 // The loop must survive a bug in one handler; the exception is reported, not swallowed silently.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            UnhandledException?.Invoke(ex);
        }
    }

    private readonly record struct WorkItem(Action<object?>? Callback, object? State, SipTimer? Timer, int Generation);
}
