using System.Buffers.Binary;

namespace Intercom.Audio;

/// <summary>
/// RIFF/WAVE files of 16-bit PCM: read whole (mono, or stereo mixed down) and written mono, for simulated audio and tests.
/// Other chunks are skipped; sizes are checked against the file so a truncated or hostile file fails cleanly.
/// </summary>
public static class WavFile
{
    private const int HeaderBytes = 44;
    private const ushort FormatPcm = 1;
    private const ushort FormatExtensible = 0xFFFE;

    /// <summary>Reads a 16-bit PCM WAV file; stereo is mixed down to mono.</summary>
    /// <returns>The samples and their rate.</returns>
    /// <exception cref="InvalidDataException">Not a RIFF/WAVE file of 16-bit PCM with one or two channels.</exception>
    public static (short[] Samples, int SampleRate) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (!TryParse(bytes, out var samples, out var rate, out var error))
        {
            throw new InvalidDataException($"{path}: {error}");
        }

        return (samples, rate);
    }

    /// <summary>Parses WAV bytes; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(ReadOnlySpan<byte> file, out short[] samples, out int sampleRate, out string error)
    {
        samples = [];
        sampleRate = 0;
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            error = "not a RIFF/WAVE file";
            return false;
        }

        var channels = 0;
        var offset = 12;
        while (offset + 8 <= file.Length)
        {
            var id = file.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(offset + 4, 4));
            var body = offset + 8;
            var available = (int)Math.Min(size, (uint)(file.Length - body));
            if (id.SequenceEqual("fmt "u8))
            {
                if (available < 16)
                {
                    error = "fmt chunk too short";
                    return false;
                }

                var fmt = file.Slice(body, available);
                var format = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                sampleRate = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]), int.MaxValue);
                var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                if ((format != FormatPcm && format != FormatExtensible) || bits != 16 || channels is < 1 or > 2 || sampleRate is < 1000 or > 384000)
                {
                    error = $"unsupported format (format {format}, {channels} channels, {bits} bits, {sampleRate} Hz); 16-bit PCM mono or stereo only";
                    return false;
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (channels == 0)
                {
                    error = "data chunk before fmt chunk";
                    return false;
                }

                var data = file.Slice(body, available);
                var frames = data.Length / (2 * channels);
                samples = new short[frames];
                for (var i = 0; i < frames; i++)
                {
                    var left = BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2 * channels)..]);
                    samples[i] = channels == 1
                        ? left
                        : (short)((left + BinaryPrimitives.ReadInt16LittleEndian(data[((i * 4) + 2)..])) / 2);
                }

                error = string.Empty;
                return true;
            }

            // Chunks are padded to even sizes (RIFF); stop on a size that points past the end.
            var next = (long)body + size + (size & 1);
            if (next > file.Length)
            {
                break;
            }

            offset = (int)next;
        }

        error = "no data chunk";
        return false;
    }

    /// <summary>Writes the canonical 44-byte header for mono 16-bit PCM of <paramref name="dataBytes"/> bytes.</summary>
    public static void WriteHeader(Span<byte> header, int sampleRate, uint dataBytes)
    {
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], FormatPcm);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)sampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], dataBytes);
    }

    /// <summary>Writes a whole mono 16-bit PCM WAV file.</summary>
    public static void Write(string path, ReadOnlySpan<short> samples, int sampleRate)
    {
        using var writer = new WavFileWriter(path, sampleRate);
        writer.Append(samples);
    }

    internal static int HeaderLength => HeaderBytes;
}
