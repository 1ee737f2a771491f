using Microsoft.Extensions.Time.Testing;

namespace Intercom.Audio.Tests;

/// <summary>
/// A sound card in fake time, with the timing ALSA gives the product's parameters: capture hands over a period only once the
/// hardware has recorded all of it; playback starts when two periods are queued, plays one sample per 1/rate, and a write
/// waits until the queue is down to one period (start threshold 2 periods, avail_min = buffer − period, buffer 4 periods).
/// What plays goes into the "air" at its hardware instant; the microphone hears the air through <see cref="Acoustics"/>.
/// Every wait is on the fake clock (woken by <see cref="Advance"/>) and counted, so a test can step the clock once both audio threads are blocked.
/// </summary>
internal sealed class SimulatedCard
{
    private readonly FakeTimeProvider time;
    private readonly long origin;
    private readonly short[] air;
    private readonly short[] written;
    private readonly List<(long Index, SemaphoreSlim Wake)> waiters = [];
    private int waiting;
    private volatile bool shutDown;

    public SimulatedCard(FakeTimeProvider time, int sampleRate, int periodFrames, int seconds)
    {
        this.time = time;
        SampleRate = sampleRate;
        PeriodFrames = periodFrames;
        BufferFrames = 4 * periodFrames;
        origin = time.GetTimestamp();
        air = new short[sampleRate * seconds];
        written = new short[sampleRate * seconds];
    }

    public int SampleRate { get; }

    public int PeriodFrames { get; }

    public int BufferFrames { get; }

    /// <summary>Audio threads blocked on the fake clock.</summary>
    public int Waiting => Volatile.Read(ref waiting);

    /// <summary>What the speaker played, by hardware sample index (0 before playback started or during an underrun).</summary>
    public ReadOnlySpan<short> Air => air;

    /// <summary>Underruns the playback side suffered.</summary>
    public int Underruns { get; private set; }

    /// <summary>Turns what the microphone hears out of the air up to a hardware index (default: the air itself, no echo path).</summary>
    public Func<ReadOnlyMemory<short>, long, short>? Acoustics { get; set; }

    /// <summary>Releases every wait, for good (before stopping the engine).</summary>
    public void Shutdown()
    {
        shutDown = true;
        lock (waiters)
        {
            foreach (var (_, wake) in waiters)
            {
                wake.Release();
            }

            waiters.Clear();
        }
    }

    public long HardwareIndex => (long)((double)(time.GetTimestamp() - origin) * SampleRate / time.TimestampFrequency);

    /// <summary>The fake instant, in seconds since the card was made, of a hardware sample index.</summary>
    public double SecondsAt(long index) => (double)index / SampleRate;

    public double Now => (double)(time.GetTimestamp() - origin) / time.TimestampFrequency;

    public IPcmOutput OpenOutput() => new Output(this);

    public IPcmInput OpenInput() => new Input(this);

    /// <summary>Moves the fake clock on and wakes the audio threads whose instant has come.</summary>
    public void Advance(TimeSpan step)
    {
        time.Advance(step);
        lock (waiters)
        {
            for (var i = waiters.Count - 1; i >= 0; i--)
            {
                if (waiters[i].Index <= HardwareIndex)
                {
                    waiters[i].Wake.Release();
                    waiters.RemoveAt(i);
                    Interlocked.Decrement(ref waiting);
                }
            }
        }
    }

    /// <summary>Blocks the calling audio thread until the hardware index reaches <paramref name="index"/>.</summary>
    private bool WaitForIndex(long index)
    {
        using var wake = new SemaphoreSlim(0);
        lock (waiters)
        {
            // Checked under the lock Advance takes after moving the clock, so no wake-up is lost.
            if (HardwareIndex >= index || shutDown)
            {
                return !shutDown;
            }

            waiters.Add((index, wake));
            Interlocked.Increment(ref waiting);
        }

        // Bounded: a test that stops stepping the clock fails instead of hanging.
        return wake.Wait(TimeSpan.FromSeconds(30)) && !shutDown;
    }

    private sealed class Output(SimulatedCard card) : IPcmOutput
    {
        private long appl;          // frames written since (re)start
        private long startIndex = -1; // hardware index where sample 0 of this run plays
        private long runBase;         // where this run's samples are kept in the card's written array

        public int SampleRate => card.SampleRate;

        public int PeriodFrames => card.PeriodFrames;

        public bool PacesItself => true;

        public int QueuedFrames => (int)(startIndex < 0 ? appl : appl - Math.Min(appl, card.HardwareIndex - startIndex));

        public int WaitReady(int timeoutMs)
        {
            if (startIndex >= 0 && card.HardwareIndex - startIndex <= appl && appl - (card.HardwareIndex - startIndex) > card.PeriodFrames)
            {
                return card.WaitForIndex(startIndex + appl - card.PeriodFrames) ? 1 : 0;
            }

            return 1;
        }

        public int Write(ReadOnlySpan<short> period, int timeoutMs)
        {
            if (startIndex >= 0)
            {
                var consumed = card.HardwareIndex - startIndex;
                if (consumed > appl)
                {
                    // Underrun: ALSA stops; recovery prepares and the start threshold applies again.
                    card.Underruns++;
                    startIndex = -1;
                    appl = 0;
                }
                else if (appl - consumed > card.BufferFrames - (card.BufferFrames - card.PeriodFrames))
                {
                    // Not enough room yet (avail < avail_min): wait for the hardware to play down to one period.
                    if (!card.WaitForIndex(startIndex + appl - card.PeriodFrames))
                    {
                        return 0;
                    }
                }
            }

            if (startIndex < 0 && appl == 0)
            {
                runBase = card.HardwareIndex;
            }

            for (var i = 0; i < period.Length; i++)
            {
                var slot = runBase + appl + i;
                if (slot < card.written.Length)
                {
                    card.written[slot] = period[i];
                }
            }

            appl += period.Length;
            if (startIndex < 0 && appl >= 2 * card.PeriodFrames)
            {
                startIndex = card.HardwareIndex;
                for (var k = 0; k < appl; k++)
                {
                    Place(k);
                }
            }
            else if (startIndex >= 0)
            {
                for (var k = appl - period.Length; k < appl; k++)
                {
                    Place(k);
                }
            }

            return period.Length;
        }

        public void Dispose()
        {
        }

        private void Place(long k)
        {
            var at = startIndex + k;
            var from = runBase + k;
            if (at < card.air.Length && from < card.written.Length)
            {
                card.air[at] = card.written[from];
            }
        }
    }

    private sealed class Input(SimulatedCard card) : IPcmInput
    {
        private readonly long startIndex = card.HardwareIndex;
        private long read;

        public int SampleRate => card.SampleRate;

        public int PeriodFrames => card.PeriodFrames;

        public bool PacesItself => true;

        public int Read(Span<short> period, int timeoutMs)
        {
            if (!card.WaitForIndex(startIndex + read + period.Length))
            {
                return 0;
            }

            var memory = new ReadOnlyMemory<short>(card.air);
            for (var i = 0; i < period.Length; i++)
            {
                var index = startIndex + read + i;
                period[i] = card.Acoustics is { } acoustics ? acoustics(memory, index) : index < card.air.Length ? card.air[index] : (short)0;
            }

            read += period.Length;
            return period.Length;
        }

        public void Dispose()
        {
        }
    }
}
