using Microsoft.Extensions.Logging;

namespace Intercom.Station;

/// <summary>
/// Serialises everything that touches station state: board events (GPIO threads), call events (SIP loop), timers
/// (thread pool) and API calls (web requests). Work posted while another thread is running the loop is run by that
/// thread after its current item, in order; work posted from inside a running item (re-entrancy, e.g. an
/// ICallControl raising an event synchronously) runs after the item completes. With a FakeTimeProvider and one
/// test thread everything runs synchronously, so tests need no waiting.
/// </summary>
internal sealed class StationLoop(ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Queue<Action> _queue = new();
    private bool _running;

    public void Post(Action work)
    {
        lock (_gate)
        {
            _queue.Enqueue(work);
            if (_running)
            {
                return;
            }

            _running = true;
        }

        while (true)
        {
            Action next;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out next!))
                {
                    _running = false;
                    return;
                }
            }

            try
            {
                next();
            }
#pragma warning disable CA1031 // One failing handler must not stop the station from reacting to the next button press.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogError(e, "station: event handler failed");
            }
        }
    }
}
