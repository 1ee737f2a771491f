namespace Intercom.Audio.Native;

/// <summary>
/// One open, configured ALSA PCM: mono S16_LE, interleaved read/write, non-blocking with poll-driven waits
/// (snd_pcm_wait), xrun (-EPIPE) and suspend (-ESTRPIPE) recovery. Any other error means the device is gone
/// (a USB card unplugged gives -ENODEV) and is returned for the owner to close and reopen.
/// </summary>
internal sealed unsafe class AlsaPcm : IPcmInput, IPcmOutput
{
    private const int Epipe = 32;
    private const int Estrpipe = 86;
    private const int Eagain = 11;
    private const int Eio = 5;
    private const int MaxTimeoutsMidPeriod = 3;

    private readonly SafePcmHandle handle;
    private readonly bool capture;

    private AlsaPcm(SafePcmHandle handle, string device, bool capture, int sampleRate, int periodFrames, int bufferFrames)
    {
        this.handle = handle;
        this.capture = capture;
        Device = device;
        SampleRate = sampleRate;
        PeriodFrames = periodFrames;
        BufferFrames = bufferFrames;
    }

    public string Device { get; }

    public int SampleRate { get; }

    public int PeriodFrames { get; }

    public int BufferFrames { get; }

    /// <summary>True for real cards; false when the test configuration runs over ALSA's "null" plugin, which never waits.</summary>
    public bool PacesItself { get; set; } = true;

    /// <summary>Opens and configures a device; every failure names the device, the step and ALSA's reason.</summary>
    /// <param name="device">ALSA PCM name ("default", "plughw:CARD=Device", or a name defined in <paramref name="configuration"/>).</param>
    /// <param name="capture">Capture (microphone) or playback (speaker).</param>
    /// <param name="sampleRate">Wanted rate; the device may choose a near one (SampleRate tells which).</param>
    /// <param name="periodMs">Period length, the wake-up granularity.</param>
    /// <param name="configuration">A private ALSA configuration (snd_pcm_open_lconf), or null for the system's.</param>
    public static AlsaPcm Open(string device, bool capture, int sampleRate, int periodMs, SafeAlsaConfigHandle? configuration)
    {
        var stream = capture ? LibAsound.StreamCapture : LibAsound.StreamPlayback;
        SafePcmHandle pcm;
        int rc;
        try
        {
            rc = configuration is null
                ? LibAsound.snd_pcm_open(out pcm, device, stream, LibAsound.NonBlock)
                : LibAsound.snd_pcm_open_lconf(out pcm, device, stream, LibAsound.NonBlock, configuration);
        }
        catch (DllNotFoundException e)
        {
            throw new AudioDeviceException($"{Describe(device, capture)}: libasound.so.2 is not installed ({e.Message})", -1);
        }

        if (rc < 0)
        {
            pcm.Dispose();
            throw Failure(device, capture, "cannot open", rc);
        }

        try
        {
            var (rate, period, buffer) = ConfigureHardware(pcm, device, capture, sampleRate, periodMs);
            ConfigureSoftware(pcm, device, capture, period, buffer);
            var opened = new AlsaPcm(pcm, device, capture, rate, period, buffer);
            if (capture)
            {
                opened.Check(LibAsound.snd_pcm_start(pcm), "cannot start");
            }

            return opened;
        }
        catch
        {
            pcm.Dispose();
            throw;
        }
    }

    private static (int Rate, int Period, int Buffer) ConfigureHardware(SafePcmHandle pcm, string device, bool capture, int sampleRate, int periodMs)
    {
        Check(device, capture, LibAsound.snd_pcm_hw_params_malloc(out var hw), "cannot allocate hardware parameters");
        try
        {
            Check(device, capture, LibAsound.snd_pcm_hw_params_any(pcm, hw), "has no hardware configuration");

            // Our own resampler runs when the device's rate differs (better than ALSA's linear "plug" resampler); a device
            // that cannot turn this off (pulse, dmix) simply ignores it.
            _ = LibAsound.snd_pcm_hw_params_set_rate_resample(pcm, hw, 0);
            Check(device, capture, LibAsound.snd_pcm_hw_params_set_access(pcm, hw, LibAsound.AccessRwInterleaved), "cannot use interleaved read/write access");
            Check(device, capture, LibAsound.snd_pcm_hw_params_set_format(pcm, hw, LibAsound.FormatS16Le), "cannot use sample format S16_LE");
            Check(device, capture, LibAsound.snd_pcm_hw_params_set_channels(pcm, hw, 1), "cannot use 1 channel (mono)");

            uint rate = (uint)sampleRate;
            int dir = 0;
            Check(device, capture, LibAsound.snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, &dir), $"cannot use a rate near {sampleRate} Hz");

            nuint period = (nuint)((long)rate * periodMs / 1000);
            dir = 0;
            Check(device, capture, LibAsound.snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, &dir), $"cannot use a period near {periodMs} ms");

            // Four periods: playback keeps only one or two of them filled (see ConfigureSoftware), the rest absorbs scheduling hiccups.
            nuint buffer = period * 4;
            Check(device, capture, LibAsound.snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer), $"cannot use a buffer near {4 * periodMs} ms");
            Check(device, capture, LibAsound.snd_pcm_hw_params(pcm, hw), "cannot apply hardware parameters");

            dir = 0;
            Check(device, capture, LibAsound.snd_pcm_hw_params_get_period_size(hw, &period, &dir), "cannot read the period size");
            Check(device, capture, LibAsound.snd_pcm_hw_params_get_buffer_size(hw, &buffer), "cannot read the buffer size");
            return ((int)rate, (int)period, (int)buffer);
        }
        finally
        {
            LibAsound.snd_pcm_hw_params_free(hw);
        }
    }

    private static void ConfigureSoftware(SafePcmHandle pcm, string device, bool capture, int period, int buffer)
    {
        Check(device, capture, LibAsound.snd_pcm_sw_params_malloc(out var sw), "cannot allocate software parameters");
        try
        {
            Check(device, capture, LibAsound.snd_pcm_sw_params_current(pcm, sw), "cannot read software parameters");

            // Capture: wake as soon as one period is there, started explicitly. Playback: start once two periods are queued
            // and wake when only one is left, so the queue holds one to two periods (low latency, one period of slack).
            nuint start = capture ? 1 : (nuint)Math.Min(2 * period, buffer);
            nuint availMin = capture ? (nuint)period : (nuint)Math.Max(period, buffer - period);
            Check(device, capture, LibAsound.snd_pcm_sw_params_set_start_threshold(pcm, sw, start), "cannot set the start threshold");
            Check(device, capture, LibAsound.snd_pcm_sw_params_set_avail_min(pcm, sw, availMin), "cannot set the wake-up level");
            Check(device, capture, LibAsound.snd_pcm_sw_params(pcm, sw), "cannot apply software parameters");
        }
        finally
        {
            LibAsound.snd_pcm_sw_params_free(sw);
        }
    }

    /// <inheritdoc/>
    public int Read(Span<short> period, int timeoutMs)
    {
        fixed (short* p = period)
        {
            return Transfer(p, period.Length, timeoutMs);
        }
    }

    /// <inheritdoc/>
    public int Write(ReadOnlySpan<short> period, int timeoutMs)
    {
        fixed (short* p = period)
        {
            return Transfer(p, period.Length, timeoutMs);
        }
    }

    /// <inheritdoc/>
    public int WaitReady(int timeoutMs)
    {
        while (true)
        {
            var rc = LibAsound.snd_pcm_wait(handle, timeoutMs);
            if (rc is not (-Epipe or -Estrpipe))
            {
                return rc < 0 ? rc : Math.Min(rc, 1);
            }

            // An underrun reported by the wait itself: recover and wait again (the next write restarts the stream).
            var recovered = LibAsound.snd_pcm_recover(handle, rc, 1);
            if (recovered < 0)
            {
                return recovered;
            }

            Xruns++;
        }
    }

    /// <inheritdoc/>
    public int QueuedFrames
    {
        get
        {
            nint delay = 0;
            return LibAsound.snd_pcm_delay(handle, &delay) < 0 ? 0 : (int)delay;
        }
    }

    public void Dispose()
    {
        // Stop at once (snd_pcm_drop), dropping queued frames, then close: a stopping call does not wait for its tail.
        if (!handle.IsClosed)
        {
            _ = LibAsound.snd_pcm_drop(handle);
        }

        handle.Dispose();
    }

    /// <summary>Moves <paramref name="frames"/> frames; returns them all, 0 when the device was not ready in time, or a negative errno.</summary>
    private int Transfer(short* buffer, int frames, int timeoutMs)
    {
        int done = 0;
        int timeouts = 0;
        while (done < frames)
        {
            var waited = LibAsound.snd_pcm_wait(handle, timeoutMs);
            if (waited == 0)
            {
                // Nothing moved: the caller decides when a silent device is lost. Part of a period moved: finish it rather than
                // drop (capture) or repeat (playback) that part, unless the device has stopped for good in mid-period.
                if (done == 0)
                {
                    return 0;
                }

                if (++timeouts >= MaxTimeoutsMidPeriod)
                {
                    return -Eio;
                }

                continue;
            }

            nint moved = waited < 0
                ? waited
                : capture
                    ? LibAsound.snd_pcm_readi(handle, buffer + done, (nuint)(frames - done))
                    : LibAsound.snd_pcm_writei(handle, buffer + done, (nuint)(frames - done));
            if (moved >= 0)
            {
                done += (int)moved;
                continue;
            }

            var error = (int)moved;
            if (error == -Eagain)
            {
                continue;
            }

            if (error is -Epipe or -Estrpipe)
            {
                // Overrun/underrun or a system suspend: snd_pcm_recover prepares (or resumes) the stream; any other code is fatal.
                var recovered = LibAsound.snd_pcm_recover(handle, error, 1);
                if (recovered < 0)
                {
                    return recovered;
                }

                Xruns++;
                if (capture && LibAsound.snd_pcm_start(handle) is var started and < 0)
                {
                    return started;
                }

                continue;
            }

            return error;
        }

        return done;
    }

    /// <summary>Overruns/underruns (and resumes) recovered since opening.</summary>
    public int Xruns { get; private set; }

    internal static string Describe(string device, bool capture) => $"ALSA {(capture ? "capture" : "playback")} device '{device}'";

    internal static AudioDeviceException Failure(string device, bool capture, string step, int error) =>
        new($"{Describe(device, capture)}: {step}: {LibAsound.ErrorText(error)}", error);

    private static void Check(string device, bool capture, int rc, string step)
    {
        if (rc < 0)
        {
            throw Failure(device, capture, step, rc);
        }
    }

    private void Check(int rc, string step) => Check(Device, capture, rc, step);
}
