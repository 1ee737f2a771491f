using System.Buffers.Binary;

namespace Intercom.Audio;

/// <summary>Streams mono 16-bit PCM into a WAV file; the header's sizes are fixed up as it goes and on dispose.</summary>
public sealed class WavFileWriter : IDisposable
{
    private readonly FileStream stream;
    private readonly byte[] header = new byte[WavFile.HeaderLength];
    private readonly byte[] scratch = new byte[4096];
    private uint dataBytes;

    public WavFileWriter(string path, int sampleRate)
    {
        SampleRate = sampleRate;
        stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        WavFile.WriteHeader(header, sampleRate, 0);
        stream.Write(header);
    }

    public int SampleRate { get; }

    /// <summary>Samples written so far.</summary>
    public long SampleCount => dataBytes / 2;

    public void Append(ReadOnlySpan<short> samples)
    {
        while (!samples.IsEmpty)
        {
            var n = Math.Min(samples.Length, scratch.Length / 2);
            for (var i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(scratch.AsSpan(i * 2), samples[i]);
            }

            stream.Write(scratch, 0, n * 2);
            dataBytes += (uint)(n * 2);
            samples = samples[n..];
        }
    }

    /// <summary>Rewrites the header with the current length, so a reader sees everything written so far.</summary>
    public void Flush()
    {
        var end = stream.Position;
        WavFile.WriteHeader(header, SampleRate, dataBytes);
        stream.Position = 0;
        stream.Write(header);
        stream.Position = end;
        stream.Flush();
    }

    public void Dispose()
    {
        Flush();
        stream.Dispose();
    }
}
