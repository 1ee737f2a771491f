using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

/// <summary>Inputs the fuzzer (tests/Intercom.Fuzz, target "sip") found failing, kept so they stay fixed.</summary>
public class FuzzRegressionTests
{
    public static TheoryData<string> Inputs()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Data", "fuzz")))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Fuzz_finding_stays_fixed(string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "fuzz", file));
        if (SipMessageParser.TryParse(input, out SipMessage? message, out SipParseError error))
        {
            Assert.True(SipMessageParser.TryParse(SipMessageWriter.ToBytes(message), out _, out SipParseError again), again.Reason);
            return;
        }

        // An error response copies the rejected request's headers as received (RFC 3261 §8.2.6.2), even malformed
        // ones, but nothing it copies may hold CR, LF or NUL: the reply must stay one well-framed message.
        if (SipResponseFactory.CreateForParseError(error, "tag") is not { } reply)
        {
            return;
        }

        Assert.All(reply.Headers, h => Assert.True(h.Value.AsSpan().IndexOfAny('\r', '\n', '\0') < 0, h.Name));
        string text = System.Text.Encoding.UTF8.GetString(SipMessageWriter.ToBytes(reply));
        Assert.StartsWith("SIP/2.0 400 ", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\nContent-Length: 0\r\n\r\n", text, StringComparison.Ordinal);
    }
}
