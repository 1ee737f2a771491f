using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Harness;

/// <summary>The Kamailio the other interop tests rely on: its user store authenticates sipsak's REGISTER and refuses a wrong password.</summary>
public sealed class KamailioHarnessTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-kamailio-").FullName;
    private Kamailio _kamailio = null!;

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(_dir);
        _kamailio.Users["alice"] = "alice-secret";
        await _kamailio.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(int Code, string Output)> SipsakRegister(string password)
    {
        await using var sipsak = PeerProcess.Start("sipsak",
            ["-U", "-C", "empty", "-x", "60", "-s", $"sip:alice@127.0.0.1:{_kamailio.UdpPort}", "-a", password, "-vv"]);
        var code = await sipsak.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (code, sipsak.Output);
    }

    [Fact]
    public async Task Registers_a_user_from_the_file_store()
    {
        var (code, output) = await SipsakRegister("alice-secret");
        Assert.True(code == 0, $"sipsak exit {code}:\n{output}\nkamailio:\n{_kamailio.Process.Tail()}");
    }

    [Fact]
    public async Task Refuses_a_wrong_password()
    {
        var (code, output) = await SipsakRegister("wrong");
        Assert.True(code != 0, output);
    }
}
