namespace Intercom.Media.Nat;

/// <summary>One attribute of a <see cref="StunMessage"/> (RFC 8489 §14): its type and its value without padding.</summary>
public readonly ref struct StunAttribute(StunAttributeType type, ReadOnlySpan<byte> value)
{
    public StunAttributeType Type { get; } = type;

    public ReadOnlySpan<byte> Value { get; } = value;

    /// <summary>Comprehension-required (type below 0x8000, §15): a receiver that does not know it must not act on the message.</summary>
    public bool IsComprehensionRequired => (ushort)Type < 0x8000;
}
