namespace Intercom.Interop.Tests.Media;

/// <summary>
/// The station's microphone and speaker as ALSA's own "file" plugin over its "null" plugin, from a private ALSA
/// configuration (no sound hardware): capture reads a raw S16_LE mono file, playback writes one. The product's ALSA code
/// runs for real; the test writes the microphone's signal and reads what the speaker played.
/// </summary>
internal sealed class AlsaFileDevices
{
    private AlsaFileDevices(string directory, int sampleRate)
    {
        SampleRate = sampleRate;
        ConfigPath = Path.Combine(directory, "asoundrc");
        MicrophoneFile = Path.Combine(directory, "microphone.raw");
        SpeakerFile = Path.Combine(directory, "speaker.raw");
        File.WriteAllText(ConfigPath, """
            pcm.null {
                type null
            }
            pcm.speaker {
                @args [ FILE ]
                @args.FILE { type string }
                type file
                slave.pcm null
                file $FILE
                format "raw"
                truncate true
            }
            pcm.microphone {
                @args [ INFILE ]
                @args.INFILE { type string }
                type file
                slave.pcm null
                file "/dev/null"
                infile $INFILE
                format "raw"
            }
            """);
    }

    public int SampleRate { get; }

    public string ConfigPath { get; }

    public string MicrophoneFile { get; }

    public string SpeakerFile { get; }

    public string CaptureDevice => $"microphone:INFILE={MicrophoneFile}";

    public string PlaybackDevice => $"speaker:FILE={SpeakerFile}";

    /// <summary>A microphone that hears a steady sine of <paramref name="frequency"/> for <paramref name="seconds"/>.</summary>
    public static AlsaFileDevices WithTone(string directory, int sampleRate, double frequency, double seconds = 60, double amplitude = 8000)
    {
        Directory.CreateDirectory(directory);
        var devices = new AlsaFileDevices(directory, sampleRate);
        var samples = new short[(int)(sampleRate * seconds)];
        for (var n = 0; n < samples.Length; n++)
        {
            samples[n] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * n / sampleRate));
        }

        File.WriteAllBytes(devices.MicrophoneFile, System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples.AsSpan()).ToArray());
        return devices;
    }

    /// <summary>What the speaker has played so far.</summary>
    public short[] ReadSpeaker()
    {
        using var stream = new FileStream(SpeakerFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[stream.Length & ~1L];
        stream.ReadExactly(bytes);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(bytes).ToArray();
    }
}
