using System.Collections.Concurrent;

namespace Intercom.Media.Ice;

/// <summary>
/// Runs an agent's work one item at a time without a lock: whoever posts drains the queue unless another thread is
/// already draining it, which then runs the new item too. The socket's receive thread, the relay's and the timer all hand
/// their work over here, so the agent's state has one owner at a time (DESIGN.md: no locks in protocol code). A handler
/// that posts again (an in-memory peer answering at once) is queued behind the running item, never nested.
/// </summary>
internal sealed class IceWorkQueue
{
    private readonly ConcurrentQueue<Action> _items = new();
    private int _draining;

    /// <summary>Runs <paramref name="work"/> now on this thread, or soon on the thread draining.</summary>
    public void Post(Action work)
    {
        _items.Enqueue(work);
        while (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            try
            {
                while (_items.TryDequeue(out Action? item))
                {
                    item();
                }
            }
            finally
            {
                Volatile.Write(ref _draining, 0);
            }

            // An item posted between the last TryDequeue and the release would otherwise wait for the next post.
            if (_items.IsEmpty)
            {
                return;
            }
        }
    }
}
