namespace Intercom.Media.Sdp;

/// <summary>An a= line (RFC 8866 §5.13): a property attribute has a null <paramref name="Value"/>.</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    /// <inheritdoc />
    public override string ToString() => Value is null ? Name : Name + ":" + Value;
}
