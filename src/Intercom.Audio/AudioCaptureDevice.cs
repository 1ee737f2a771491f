using Intercom.Dsp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Audio;

/// <summary>
/// A microphone on a dedicated thread: opens the device, reads one period at a time at the device's own rate, resamples
/// to the call's rate and delivers fixed-size frames. A device that fails to open or disappears (USB card unplugged:
/// -ENODEV) is retried with backoff (0.25 s doubling to 5 s) while silence keeps flowing at real-time pace, so a call
/// carries on and hears the microphone again when the card returns. Subclasses only say how to open the device.
/// </summary>
public abstract class AudioCaptureDevice : IAudioSource, IDisposable
{
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private volatile IAudioFrameReceiver? receiver;
    private readonly AudioDeviceThread worker;
    private long framesDelivered;
    private int deviceLosses;
    private volatile int deviceSampleRate;

    private protected AudioCaptureDevice(string name, int sampleRate, int periodMs, TimeProvider? time, ILogger? logger)
    {
        AudioOptions.CheckFormat(sampleRate, periodMs);
        Name = name;
        SampleRate = sampleRate;
        PeriodMs = periodMs;
        FrameSamples = sampleRate * periodMs / 1000;
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? NullLogger.Instance;
        worker = new AudioDeviceThread("audio-capture", this.time, Run);
    }

    /// <summary>The device as named in logs ("ALSA capture device 'default'").</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public int SampleRate { get; }

    /// <inheritdoc/>
    public int FrameSamples { get; }

    /// <summary>Frame duration in milliseconds (10 or 20).</summary>
    public int PeriodMs { get; }

    /// <summary>The open device's own rate, 0 while it is closed or absent.</summary>
    public int DeviceSampleRate => deviceSampleRate;

    /// <summary>Frames handed to the receiver (silence while the device is absent included).</summary>
    public long FramesDelivered => Interlocked.Read(ref framesDelivered);

    /// <summary>How often the device disappeared while running.</summary>
    public int DeviceLosses => Volatile.Read(ref deviceLosses);

    /// <inheritdoc/>
    public void Start(IAudioFrameReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        worker.Start(() => this.receiver = receiver);
    }

    /// <inheritdoc/>
    public void Stop() => worker.Stop(() => receiver = null);

    public void Dispose()
    {
        Stop();
        GC.SuppressFinalize(this);
    }

    /// <summary>Opens the device (throws <see cref="AudioDeviceException"/> when it cannot).</summary>
    internal abstract IPcmInput OpenInput();

    /// <summary>Text for a negative error code returned by the open device.</summary>
    internal virtual string DescribeError(int error) => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(-error);

    private void Run(ClockPacer pace)
    {
        AudioLog.Priority(logger, Name, AudioThreadPriority.TryRaise());
        var frame = new short[FrameSamples];
        var appPeriod = TimeSpan.FromMilliseconds(PeriodMs);
        IPcmInput? input = null;
        short[] period = [];
        short[] resampled = [];
        Resampler? resampler = null;
        SampleFifo? fifo = null;
        var schedule = new ReopenSchedule(time);
        RealTimeGuard? guard = null;
        var primeFifo = false;
        try
        {
            while (!worker.Stopping)
            {
                if (input is null)
                {
                    if (schedule.Due)
                    {
                        try
                        {
                            input = OpenInput();
                            deviceSampleRate = input.SampleRate;
                            period = new short[input.PeriodFrames];
                            resampler = new Resampler(input.SampleRate, SampleRate, input.PeriodFrames);
                            resampled = new short[resampler.MaxOutput(input.PeriodFrames)];
                            fifo = new SampleFifo((2 * FrameSamples) + resampled.Length);
                            schedule.Opened();
                            guard = new RealTimeGuard(time, input.SampleRate, input.BufferFrames);
                            primeFifo = true;
                            pace.Reset();
                            AudioLog.Opened(logger, Name, input.SampleRate, input.PeriodFrames, input.BufferFrames);
                        }
                        catch (AudioDeviceException e)
                        {
                            AudioLog.OpenFailed(logger, Name, schedule, e);
                        }
                    }

                    if (input is null)
                    {
                        // No device: keep the call's frame clock running with silence.
                        Array.Clear(frame);
                        Deliver(frame);
                        pace.WaitPeriod(appPeriod);
                        continue;
                    }
                }

                var got = input.Read(period, 2 * Math.Max(PeriodMs, 1000 * input.PeriodFrames / input.SampleRate));
                if (got == 0)
                {
                    if (!schedule.Stalled())
                    {
                        continue;
                    }

                    got = -5; // EIO: a device that stopped delivering is as good as gone.
                }

                if (got < 0)
                {
                    Interlocked.Increment(ref deviceLosses);
                    AudioLog.Lost(logger, Name, DescribeError(got));
                    input.Dispose();
                    input = null;
                    deviceSampleRate = 0;
                    schedule.Lost();
                    continue;
                }

                schedule.Progressed();
                var produced = resampler!.Process(period, resampled);
                if (primeFifo)
                {
                    // A device period shorter than a frame (or one that does not divide evenly into frames) gives a short
                    // first frame; without these zeros every frame would wait for the next period, up to a period of
                    // latency for nothing.
                    primeFifo = false;
                    var pad = Math.Max(0, FrameSamples - produced);
                    fifo!.GetWriteSpan()[..pad].Clear();
                    fifo.Commit(pad);
                }

                resampled.AsSpan(0, produced).CopyTo(fifo!.GetWriteSpan());
                fifo.Commit(produced);
                while (fifo.TryRead(frame))
                {
                    Deliver(frame);
                }

                var wasTripped = guard!.Tripped;
                if (!input.PacesItself || guard.Moved(input.PeriodFrames))
                {
                    if (!wasTripped && guard.Tripped)
                    {
                        AudioLog.NotRealTime(logger, Name);
                    }

                    pace.WaitPeriod(TimeSpan.FromSeconds((double)input.PeriodFrames / input.SampleRate));
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never let an audio thread take the process down; the call goes on without a microphone.
            AudioLog.ThreadError(logger, Name, e);
        }
        finally
        {
            input?.Dispose();
            deviceSampleRate = 0;
        }
    }

    private void Deliver(short[] frame)
    {
        var current = receiver;
        if (current is null || worker.Stopping)
        {
            return;
        }

        try
        {
            current.OnFrame(frame);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A faulty receiver loses its frame, not the microphone.
            AudioLog.ThreadError(logger, Name, e);
        }

        Interlocked.Increment(ref framesDelivered);
    }
}
