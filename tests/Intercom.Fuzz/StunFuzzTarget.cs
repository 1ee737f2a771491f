using System.Net;
using Intercom.Media.Nat;

namespace Intercom.Fuzz;

/// <summary>
/// Fuzz target "stun": what a media socket does with a datagram that is not RTP (RFC 7983): demultiplexed, parsed as a
/// STUN message with every typed accessor read and MESSAGE-INTEGRITY/FINGERPRINT checked, then written back attribute by
/// attribute and parsed again (it must parse, with the same method, class, id and attribute count); or parsed as TURN
/// ChannelData and written back. Any exception escaping is a finding.
/// </summary>
internal static class StunFuzzTarget
{
    private static readonly byte[] ShortTermKey = StunCredentials.ShortTermKey("VOkJxbRl1RmTxUk/WvJxBt");
    private static readonly byte[] Output = new byte[StunMessage.MaxLength];
    private static readonly ushort[] Unknown = new ushort[8];

    public static void Run(ReadOnlySpan<byte> data)
    {
        switch (PacketDemultiplexer.Classify(data))
        {
            case MultiplexedPacketKind.TurnChannel:
                if (TurnChannelData.TryParse(data, out TurnChannelData channel)
                    && TurnChannelData.Write(Output, channel.Channel, channel.Data, pad: true) == 0 && channel.Data.Length + 8 <= Output.Length)
                {
                    throw new InvalidOperationException("A parsed ChannelData message could not be written back");
                }

                return;
            case MultiplexedPacketKind.Stun:
                break;
            default:
                return;
        }

        if (!StunMessage.TryParse(data, out StunMessage message, out _))
        {
            return;
        }

        long sum = (long)message.Method + (int)message.Class + message.AttributeCount;
        sum += Read(message);
        sum += message.VerifyMessageIntegrity(ShortTermKey) ? 1 : 0;
        sum += message.VerifyFingerprint() ? 1 : 0;
        sum += message.TryGetUnknownRequiredAttribute([StunAttributeType.XorMappedAddress, StunAttributeType.MappedAddress], out ushort unknown) ? unknown : 0;

        var writer = new StunMessageWriter(Output, message.Method, message.Class, message.TransactionId);
        for (int i = 0; i < message.AttributeCount; i++)
        {
            StunAttribute attribute = message.GetAttribute(i);
            writer.AddAttribute(attribute.Type, attribute.Value);
            sum += attribute.IsComprehensionRequired ? 1 : 0;
        }

        int length = writer.Complete();
        if (length != data.Length)
        {
            throw new InvalidOperationException($"A parsed STUN message of {data.Length} bytes was written back as {length}");
        }

        if (!StunMessage.TryParse(Output.AsSpan(0, length), out StunMessage again, out StunParseError error)
            || again.Method != message.Method || again.Class != message.Class || again.TransactionId != message.TransactionId
            || again.AttributeCount != message.AttributeCount)
        {
            throw new InvalidOperationException("A parsed STUN message did not parse the same after writing: " + error);
        }

        GC.KeepAlive(sum);
    }

    private static long Read(StunMessage message)
    {
        long sum = 0;
        sum += message.TryGetXorMappedAddress(out IPEndPoint? a) ? a!.Port : 0;
        sum += message.TryGetMappedAddress(out IPEndPoint? b) ? b!.Port : 0;
        sum += message.TryGetAlternateServer(out IPEndPoint? c) ? c!.Port : 0;
        sum += message.TryGetXorPeerAddress(out IPEndPoint? d) ? d!.Port : 0;
        sum += message.TryGetXorRelayedAddress(out IPEndPoint? e) ? e!.Port : 0;
        sum += message.TryGetUsername(out string? username) ? username!.Length : 0;
        sum += message.TryGetRealm(out string? realm) ? realm!.Length : 0;
        sum += message.TryGetNonce(out string? nonce) ? nonce!.Length : 0;
        sum += message.TryGetSoftware(out string? software) ? software!.Length : 0;
        sum += message.TryGetErrorCode(out int code, out string? reason) ? code + reason!.Length : 0;
        sum += message.TryGetUnknownAttributes(Unknown, out int count) ? count : 0;
        sum += message.TryGetPriority(out uint priority) ? priority : 0;
        sum += message.HasUseCandidate ? 1 : 0;
        sum += message.TryGetIceControlled(out ulong controlled) ? (long)(controlled & 0xFF) : 0;
        sum += message.TryGetIceControlling(out ulong controlling) ? (long)(controlling & 0xFF) : 0;
        sum += message.TryGetChannelNumber(out ushort channel) ? channel : 0;
        sum += message.TryGetLifetime(out uint lifetime) ? lifetime : 0;
        sum += message.TryGetData(out ReadOnlySpan<byte> data) ? data.Length : 0;
        sum += message.TryGetRequestedTransport(out byte protocol) ? protocol : 0;
        sum += message.TryGetRequestedAddressFamily(out System.Net.Sockets.AddressFamily family) ? (int)family : 0;
        sum += message.HasDontFragment ? 1 : 0;
        return sum;
    }
}
