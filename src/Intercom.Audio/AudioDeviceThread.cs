namespace Intercom.Audio;

/// <summary>
/// The thread a capture or playback device runs on: started once, stopped by a flag and a cancelled pacer (so a thread
/// waiting out a period or a reopen backoff wakes at once), joined with a bound. Both directions use this one, so their
/// start and stop ordering cannot drift apart; what the thread does stays with the device.
/// </summary>
internal sealed class AudioDeviceThread
{
    private readonly Lock gate = new();
    private readonly string name;
    private readonly TimeProvider time;
    private readonly Action<ClockPacer> run;
    private Thread? thread;
    private ClockPacer? pacer;
    private volatile bool stopping;

    /// <param name="name">Thread name ("audio-capture").</param>
    /// <param name="run">The device loop; it returns once <see cref="Stopping"/> is true, pacing itself with the pacer it is given.</param>
    public AudioDeviceThread(string name, TimeProvider time, Action<ClockPacer> run)
    {
        this.name = name;
        this.time = time;
        this.run = run;
    }

    /// <summary>True once <see cref="Stop"/> was asked: the loop ends at its next check.</summary>
    public bool Stopping => stopping;

    /// <summary>Runs <paramref name="attach"/> (the device takes its receiver or provider) under the lock, then starts the thread unless it runs.</summary>
    public void Start(Action attach)
    {
        lock (gate)
        {
            attach();
            if (thread is not null)
            {
                return;
            }

            stopping = false;
            var threadPacer = pacer = new ClockPacer(time);
            thread = new Thread(() => run(threadPacer)) { IsBackground = true, Name = name };
            thread.Start();
        }
    }

    /// <summary>Runs <paramref name="detach"/> under the lock, then stops the thread and waits for it (at most 5 s).</summary>
    public void Stop(Action detach)
    {
        lock (gate)
        {
            detach();
            if (thread is null)
            {
                return;
            }

            stopping = true;
            pacer!.Cancel();

            // The thread waits at most one device timeout (a few periods) before it sees the flag.
            thread.Join(TimeSpan.FromSeconds(5));
            thread = null;
            pacer.Dispose();
            pacer = null;
        }
    }
}
