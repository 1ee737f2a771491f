namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// The NAT tests run one at a time: each builds a lab of six namespaces with Kamailio, coturn, baresip and the
/// published station in it, and two such labs side by side on a two-core CI machine would only starve each other's
/// audio. They may run beside other test classes (their namespaces are their own, named nat-…).
/// </summary>
[CollectionDefinition(Name)]
public sealed class NatLabCollection
{
    public const string Name = "NAT lab";
}
