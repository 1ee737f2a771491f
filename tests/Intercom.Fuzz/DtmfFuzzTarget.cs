using System.Buffers.Binary;
using System.Text;
using Intercom.Media.Dtmf;

namespace Intercom.Fuzz;

/// <summary>
/// Fuzz target "dtmf": RFC 4733 telephone-event payloads as a stream of (timestamp, payload) records through one
/// <see cref="TelephoneEventReceiver"/> (so state carries between packets, as in a call), and the same bytes as a SIP INFO
/// dtmf-relay / dtmf body. Any exception escaping is a finding, and so is a reported digit outside 0-9, *, #, A-D.
/// </summary>
internal static class DtmfFuzzTarget
{
    private const string Digits = "0123456789*#ABCD";

    public static void Run(ReadOnlySpan<byte> data)
    {
        var receiver = new TelephoneEventReceiver();
        ReadOnlySpan<byte> rest = data;
        while (rest.Length >= 5)
        {
            uint timestamp = BinaryPrimitives.ReadUInt32BigEndian(rest);
            int length = Math.Min(rest[4] & 0x0F, rest.Length - 5);
            TelephoneEventResult result = receiver.Process(timestamp, rest.Slice(5, length));
            if (result == TelephoneEventResult.Started
                && receiver.Current.Event < DtmfEvent.Flash && !Digits.Contains(receiver.CurrentDigit, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"event {receiver.Current.Event} reported as '{receiver.CurrentDigit}'");
            }

            rest = rest[(5 + length)..];
        }

        string text = Encoding.UTF8.GetString(data);
        _ = DtmfInfoBody.TryParse("application/dtmf-relay", text, out _, out _);
        _ = DtmfInfoBody.TryParse("application/dtmf", text, out _, out _);
    }
}
