using Intercom.Dsp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Audio;

/// <summary>
/// A speaker on a dedicated thread: pulls fixed-size frames at the call's rate from a provider, resamples them to the
/// device's own rate and writes one period at a time, as the device makes room. A device that fails to open or disappears
/// is retried with backoff (0.25 s doubling to 5 s); meanwhile frames are still pulled at real-time pace (and discarded), so
/// buffers and tones move on as if heard. Subclasses only say how to open the device.
/// </summary>
public abstract class AudioPlaybackDevice : IAudioPlayer, IDisposable
{
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private volatile IAudioFrameProvider? provider;
    private readonly AudioDeviceThread worker;
    private long framesPlayed;
    private int deviceLosses;
    private volatile int deviceSampleRate;
    private volatile int queuedFrames;

    private protected AudioPlaybackDevice(string name, int sampleRate, int periodMs, TimeProvider? time, ILogger? logger)
    {
        AudioOptions.CheckFormat(sampleRate, periodMs);
        Name = name;
        SampleRate = sampleRate;
        PeriodMs = periodMs;
        FrameSamples = sampleRate * periodMs / 1000;
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? NullLogger.Instance;
        worker = new AudioDeviceThread("audio-playback", this.time, Run);
    }

    /// <summary>The device as named in logs ("ALSA playback device 'default'").</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public int SampleRate { get; }

    /// <inheritdoc/>
    public int FrameSamples { get; }

    /// <summary>Frame duration in milliseconds (10 or 20).</summary>
    public int PeriodMs { get; }

    /// <summary>The open device's own rate, 0 while it is closed or absent.</summary>
    public int DeviceSampleRate => deviceSampleRate;

    /// <summary>Frames pulled from the provider (including those discarded while the device was absent).</summary>
    public long FramesPlayed => Interlocked.Read(ref framesPlayed);

    /// <summary>How often the device disappeared while running.</summary>
    public int DeviceLosses => Volatile.Read(ref deviceLosses);

    /// <summary>Device frames written but not yet heard after the last write (snd_pcm_delay), at <see cref="DeviceSampleRate"/>.</summary>
    public int QueuedDeviceFrames => queuedFrames;

    /// <inheritdoc/>
    public void Start(IAudioFrameProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        worker.Start(() => this.provider = provider);
    }

    /// <inheritdoc/>
    public void Stop() => worker.Stop(() => provider = null);

    public void Dispose()
    {
        Stop();
        GC.SuppressFinalize(this);
    }

    /// <summary>Opens the device (throws <see cref="AudioDeviceException"/> when it cannot).</summary>
    internal abstract IPcmOutput OpenOutput();

    /// <summary>Text for a negative error code returned by the open device.</summary>
    internal virtual string DescribeError(int error) => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(-error);

    private void Run(ClockPacer pace)
    {
        AudioLog.Priority(logger, Name, AudioThreadPriority.TryRaise());
        var frame = new short[FrameSamples];
        var appPeriod = TimeSpan.FromMilliseconds(PeriodMs);
        IPcmOutput? output = null;
        short[] period = [];
        Resampler? resampler = null;
        SampleFifo? fifo = null;
        var schedule = new ReopenSchedule(time);
        RealTimeGuard? guard = null;
        var primeFifo = false;
        var havePeriod = false;
        short[] resampled = [];
        try
        {
            while (!worker.Stopping)
            {
                if (output is null)
                {
                    if (schedule.Due)
                    {
                        try
                        {
                            output = OpenOutput();
                            deviceSampleRate = output.SampleRate;
                            period = new short[output.PeriodFrames];
                            resampler = new Resampler(SampleRate, output.SampleRate, FrameSamples);
                            resampled = new short[resampler.MaxOutput(FrameSamples)];
                            fifo = new SampleFifo((2 * period.Length) + resampled.Length);
                            schedule.Opened();
                            guard = new RealTimeGuard(time, output.SampleRate, output.BufferFrames);
                            primeFifo = true;
                            pace.Reset();
                            AudioLog.Opened(logger, Name, output.SampleRate, output.PeriodFrames, output.BufferFrames);
                        }
                        catch (AudioDeviceException e)
                        {
                            AudioLog.OpenFailed(logger, Name, schedule, e);
                        }
                    }

                    if (output is null)
                    {
                        // No device: consume at real-time pace so queued call audio and tones do not pile up.
                        Pull(frame);
                        pace.WaitPeriod(appPeriod);
                        continue;
                    }
                }

                var timeoutMs = 2 * Math.Max(PeriodMs, 1000 * output.PeriodFrames / output.SampleRate);
                var status = havePeriod ? 1 : output.WaitReady(timeoutMs);
                if (status > 0 && !havePeriod)
                {
                    // Pull only now that the device has room: the frame goes straight into its queue.
                    while (fifo!.Count < period.Length)
                    {
                        Pull(frame);
                        var produced = resampler!.Process(frame, resampled);
                        if (primeFifo)
                        {
                            // As for capture: zeros for what one frame lacks of a device period, so one pulled frame fills it.
                            primeFifo = false;
                            var pad = Math.Max(0, period.Length - produced);
                            fifo.GetWriteSpan()[..pad].Clear();
                            fifo.Commit(pad);
                        }

                        resampled.AsSpan(0, produced).CopyTo(fifo.GetWriteSpan());
                        fifo.Commit(produced);
                    }

                    havePeriod = fifo.TryRead(period);
                }

                if (status > 0)
                {
                    status = output.Write(period, timeoutMs);
                    havePeriod = status == 0; // a period the device did not take is offered again
                }

                if (status == 0)
                {
                    if (!schedule.Stalled())
                    {
                        continue;
                    }

                    status = -5; // EIO: a device that stopped taking audio is as good as gone.
                }

                if (status < 0)
                {
                    Interlocked.Increment(ref deviceLosses);
                    AudioLog.Lost(logger, Name, DescribeError(status));
                    output.Dispose();
                    output = null;
                    deviceSampleRate = 0;
                    fifo!.Clear();
                    havePeriod = false;
                    schedule.Lost();
                    continue;
                }

                schedule.Progressed();
                queuedFrames = output.QueuedFrames;
                var wasTripped = guard!.Tripped;
                if (!output.PacesItself || guard.Moved(output.PeriodFrames))
                {
                    if (!wasTripped && guard.Tripped)
                    {
                        AudioLog.NotRealTime(logger, Name);
                    }

                    pace.WaitPeriod(TimeSpan.FromSeconds((double)output.PeriodFrames / output.SampleRate));
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            AudioLog.ThreadError(logger, Name, e);
        }
        finally
        {
            output?.Dispose();
            deviceSampleRate = 0;
        }
    }

    private void Pull(short[] frame)
    {
        var current = provider;
        if (current is null || worker.Stopping)
        {
            Array.Clear(frame);
            return;
        }

        try
        {
            current.ReadFrame(frame);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A faulty provider costs one frame of silence, not the speaker.
            Array.Clear(frame);
            AudioLog.ThreadError(logger, Name, e);
        }

        Interlocked.Increment(ref framesPlayed);
    }
}
