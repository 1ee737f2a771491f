namespace Intercom.Interop.Tests.Ship;

/// <summary>
/// The shipping tests run one class at a time: they publish NativeAOT binaries, emulate arm64 and unpack Debian roots,
/// each heavy enough that running them side by side on a small CI machine only makes every timeout tighter.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShipCollection
{
    public const string Name = "Ship";
}
