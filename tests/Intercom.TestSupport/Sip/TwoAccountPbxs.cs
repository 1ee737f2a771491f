using System.Net;

namespace Intercom.TestSupport;

/// <summary>
/// Two "PBXs" on two loopback hosts over UDP (127.0.0.1 and 127.0.0.2: to the station another address is another host),
/// and the station's account at each: "a" as door-a at the first, "b" as door-b at the second. The setup of the account
/// tests through the phone alone (Phone.Tests) and through the whole app (Intercom.Tests); each maps
/// <see cref="Accounts"/> onto its own options.
/// </summary>
public sealed class TwoAccountPbxs : IDisposable
{
    /// <summary>The first account's registrar and proxy.</summary>
    public FakeSipPeer A { get; } = new(IPAddress.Loopback);

    /// <summary>The second account's registrar and proxy.</summary>
    public FakeSipPeer B { get; } = new(IPAddress.Parse("127.0.0.2"));

    /// <summary>"a" and "b", in that order (b has a display name for tests that want one).</summary>
    public IReadOnlyList<TestSipAccount> Accounts =>
    [
        new("a", $"sip:door-a@{A.HostPort}", "a-secret"),
        new("b", $"sip:door-b@{B.HostPort}", "b-secret", "Door B"),
    ];

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
