namespace Intercom.Audio.Tests;

/// <summary>
/// A private ALSA configuration (loaded with snd_pcm_open_lconf) built from ALSA's own "null" and "file" plugins, so ALSA
/// code runs for real without sound hardware: "file:FILE=/abs.raw,FORMAT=raw" records playback into a raw file, and
/// "infile:INFILE=/abs.raw" plays a raw file into capture; "file48k:FILE=…" and "infile48k:INFILE=…" do the same on a card
/// fixed at 48 kHz (a "plug" whose slave runs at 48 kHz only), so the product's own resampler has to work.
/// </summary>
internal static class AlsaTestConfiguration
{
    public static string Write(TempDirectory directory)
    {
        var path = directory.File("asoundrc");
        File.WriteAllText(path, """
            pcm.null {
                type null
            }
            pcm.file {
                @args [ FILE FORMAT ]
                @args.FILE { type string }
                @args.FORMAT { type string default "raw" }
                type file
                slave.pcm null
                file $FILE
                format $FORMAT
                truncate true
            }
            pcm.infile {
                @args [ INFILE ]
                @args.INFILE { type string }
                type file
                slave.pcm null
                file "/dev/null"
                infile $INFILE
                format "raw"
            }
            pcm.infile48k {
                @args [ INFILE ]
                @args.INFILE { type string }
                type plug
                slave {
                    pcm { type file slave.pcm null file "/dev/null" infile $INFILE format "raw" }
                    rate 48000
                }
            }
            pcm.file48k {
                @args [ FILE ]
                @args.FILE { type string }
                type plug
                slave {
                    pcm { type file slave.pcm null file $FILE format "raw" }
                    rate 48000
                }
            }
            """);
        return path;
    }
}
