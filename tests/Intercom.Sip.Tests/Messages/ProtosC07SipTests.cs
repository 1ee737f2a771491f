using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Intercom.Sip.Messages;
using Xunit.Abstractions;

namespace Intercom.Sip.Tests.Messages;

/// <summary>
/// The PROTOS c07-sip test material (University of Oulu): 4527 INVITEs, each varying one element with overflows,
/// format strings and odd octets, plus a teardown request per case. Every one must either parse or be refused
/// with a reason, without an exception, in bounded time. The archive is read straight from the .tar.gz
/// (format: Data/../FORMAT.md of the shared material: two records "length SP bytes" per case).
/// </summary>
public class ProtosC07SipTests(ITestOutputHelper output)
{
    private const int CaseCount = 4527;
    private const int MaxDatagram = 65507;

    [Fact]
    public void All_4527_invites_and_teardowns_parse_or_fail_cleanly_in_bounded_time()
    {
        int parsed = 0, rejected = 0, cases = 0;
        TimeSpan slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((int index, byte[] content) in ReadCases())
        {
            cases++;
            (byte[] invite, byte[] teardown) = SplitRecords(content);
            foreach (byte[] template in new[] { invite, teardown })
            {
                byte[] message = Substitute(template, index);
                var clock = Stopwatch.StartNew();
                bool ok = SipMessageParser.TryParse(message, out SipMessage? result, out SipParseError error);
                clock.Stop();
                if (index > 0)
                {
                    // Case 0 pays for the JIT.
                    slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                }

                if (ok)
                {
                    Assert.NotNull(result);
                    Assert.False(error.IsError);
                    parsed++;

                    // Whatever was accepted can be written back and read again.
                    Assert.True(SipMessageParser.TryParse(SipMessageWriter.ToBytes(result), out _, out SipParseError again), $"case {index}: {again.Reason}");
                }
                else
                {
                    Assert.Null(result);
                    Assert.False(string.IsNullOrWhiteSpace(error.Reason));
                    rejected++;
                    string key = error.Reason.Split(':')[0];
                    reasons[key] = reasons.GetValueOrDefault(key) + 1;
                }
            }

            if (index == 0)
            {
                // Case 0 is the valid reference INVITE.
                Assert.True(SipMessageParser.TryParse(Substitute(invite, 0), out SipMessage? reference, out SipParseError referenceError), referenceError.Reason);
                Assert.Equal(SipMethods.Invite, Assert.IsType<SipRequest>(reference).Method);
                Assert.Equal(Encoding.ASCII.GetString(reference.Body.Span).Length, reference.ContentLength);
            }
        }

        total.Stop();
        output.WriteLine($"{cases} cases, {parsed} messages parsed, {rejected} rejected, slowest {slowest.TotalMilliseconds:F2} ms, total {total.Elapsed.TotalSeconds:F1} s");
        foreach (KeyValuePair<string, int> reason in reasons.OrderByDescending(r => r.Value).Take(15))
        {
            output.WriteLine($"  {reason.Value,5} {reason.Key}");
        }

        Assert.Equal(CaseCount, cases);
        Assert.True(rejected > 0 && parsed > CaseCount, $"parsed {parsed}, rejected {rejected}");
        Assert.True(slowest < TimeSpan.FromSeconds(1), $"slowest message took {slowest.TotalMilliseconds} ms");
        Assert.True(total.Elapsed < TimeSpan.FromMinutes(3), $"took {total.Elapsed}");
    }

    private static IEnumerable<(int Index, byte[] Content)> ReadCases()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Data", "c07-sip-r2-testcases.tar.gz");
        using FileStream file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                continue;
            }

            string name = Path.GetFileName(entry.Name);
            using var buffer = new MemoryStream();
            entry.DataStream.CopyTo(buffer);
            yield return (int.Parse(name, NumberStyles.None, CultureInfo.InvariantCulture), buffer.ToArray());
        }
    }

    private static (byte[] Invite, byte[] Teardown) SplitRecords(byte[] content)
    {
        int pos = 0;
        byte[] first = ReadRecord(content, ref pos);
        byte[] second = ReadRecord(content, ref pos);
        return (first, second);
    }

    private static byte[] ReadRecord(byte[] content, ref int pos)
    {
        int space = Array.IndexOf(content, (byte)' ', pos);
        int length = int.Parse(Encoding.ASCII.GetString(content, pos, space - pos), NumberStyles.None, CultureInfo.InvariantCulture);
        byte[] record = content.AsSpan(space + 1, length).ToArray();
        pos = space + 1 + length;
        return record;
    }

    /// <summary>Fills the placeholders as the original sender did (FORMAT.md), Content-Length last, then cuts to one datagram.</summary>
    private static byte[] Substitute(byte[] template, int index)
    {
        byte[] message = template;
        message = Replace(message, "<Teardown-Method>", "CANCEL");
        message = Replace(message, "<To>", "door@127.0.0.1");
        message = Replace(message, "<From>", "protos@127.0.0.1");
        message = Replace(message, "<From-Address>", "127.0.0.1");
        message = Replace(message, "<From-IP>", "127.0.0.1");
        message = Replace(message, "<Local-Port>", "5060");
        message = Replace(message, "<Call-ID>", (index + 1).ToString(CultureInfo.InvariantCulture));
        message = Replace(message, "<Branch-ID>", index.ToString("D6", CultureInfo.InvariantCulture));
        message = Replace(message, "<CSeq>", "1");
        int headerEnd = message.AsSpan().IndexOf("\r\n\r\n"u8);
        int bodyLength = headerEnd < 0 ? 0 : message.Length - headerEnd - 4;
        message = Replace(message, "<Content-Length>", bodyLength.ToString(CultureInfo.InvariantCulture));
        return message.Length > MaxDatagram ? message[..MaxDatagram] : message;
    }

    private static byte[] Replace(byte[] data, string placeholder, string value)
    {
        byte[] pattern = Encoding.ASCII.GetBytes(placeholder);
        byte[] replacement = Encoding.ASCII.GetBytes(value);
        if (data.AsSpan().IndexOf(pattern) < 0)
        {
            return data;
        }

        var result = new List<byte>(data.Length);
        int pos = 0;
        while (true)
        {
            int found = data.AsSpan(pos).IndexOf(pattern);
            if (found < 0)
            {
                result.AddRange(data.AsSpan(pos));
                return [.. result];
            }

            result.AddRange(data.AsSpan(pos, found));
            result.AddRange(replacement);
            pos += found + pattern.Length;
        }
    }
}
