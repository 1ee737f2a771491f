namespace Intercom.Sip.Core;

/// <summary>How a <see cref="SipLoop"/> runs the work posted to it.</summary>
public enum SipLoopMode
{
    /// <summary>A dedicated thread drains the queue; the production mode.</summary>
    DedicatedThread,

    /// <summary>
    /// Work posted from the thread that created the loop runs at once on that thread (after any work already queued);
    /// work posted from other threads waits for <see cref="SipLoop.RunPending"/>. With a FakeTimeProvider advanced on the
    /// test thread, timers fire into the loop synchronously, so tests of timers A–M run deterministically and instantly.
    /// </summary>
    CallerThread,
}
