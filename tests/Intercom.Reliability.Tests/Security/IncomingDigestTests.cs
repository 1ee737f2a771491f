using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;
using Intercom.Reliability.Tests.Faults;
using Intercom.Reliability.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Reliability.Tests.Security;

/// <summary>
/// The station as the authenticating side, with baresip calling it directly (no PBX): `sip.incomingAuth` on. The
/// resident's baresip with the right auth_user/auth_pass connects and opens the door; one with a wrong password is
/// refused; one with the right credentials but a From not on the allowlist is refused (403). The resident's
/// authenticated INVITE is captured off loopback (tshark) and replayed from a raw UDP socket — as it was, and as a new
/// call (new branch, Call-ID and tag, the captured Authorization kept): no call, no door, a 401 for the new one.
/// </summary>
public sealed partial class IncomingDigestTests(ITestOutputHelper output) : IDisposable
{
    private const string User = "resident";
    private const string Password = "Kitchen-Phone-Digest-61";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-digest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Baresip_with_credentials_connects_a_wrong_password_and_a_replayed_invite_are_refused()
    {
        var port = FreePort.Next();
        var config = StationConfigs.Direct(port, $"sip:{User}@127.0.0.1:5999");
        // baresip 1.0 (libre 1.1) gives up on a SHA-256 challenge instead of answering the MD5 one after it: MD5 only.
        config.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Realm = "front-door", Username = User, Password = Password, Algorithms = ["MD5"] };
        Assert.Empty(ConfigValidator.Validate(config));
        await using var station = await StationProcess.StartAsync(config, Path.Combine(_dir, "station"));

        // What reaches the station's port on loopback, as hex payloads, one per line.
        await using var capture = PeerProcess.Start("tshark", ["-i", "lo", "-f", $"udp dst port {port}", "-l", "-T", "fields", "-e", "udp.payload"], _dir);
        await capture.WaitForLineAsync("Capturing on", Wait);

        // The resident with the right credentials: challenged, authenticated, answered; the code opens the door.
        await using (var resident = await Phone("resident", User, Password))
        {
            await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{port}");
            await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
            await resident.CommandAsync("sndcode", StationConfigs.DoorCode);
            await station.WaitForLineAsync("door energised", Wait);
            await resident.CommandAsync("hangup");
            await resident.WaitForEventAsync("CALL_CLOSED", Wait);
        }

        Assert.Equal(1, station.Count("auto-answered"));
        var invite = await CapturedAuthenticatedInviteAsync(capture);

        // A wrong password: challenged again, never answered.
        await using (var guesser = await Phone("guesser", User, "Wrong-Password-123"))
        {
            await guesser.CommandAsync("dial", $"sip:door@127.0.0.1:{port}");
            var closed = await guesser.WaitForEventAsync("CALL_CLOSED", Wait);
            output.WriteLine($"wrong password: {closed}");
        }

        await station.WaitForLineAsync(@"not authenticated \(WrongCredentials\)", Wait);
        Assert.Equal(1, station.Count("auto-answered"));

        // The right credentials from a caller not on the allowlist: authenticated, then refused by the allowlist.
        await using (var stranger = await Phone("stranger", User, Password, aorUser: "stranger"))
        {
            await stranger.CommandAsync("dial", $"sip:door@127.0.0.1:{port}");
            await stranger.WaitForEventAsync("CALL_CLOSED", Wait);
        }

        await station.WaitForLineAsync("not on the allowlist", Wait);
        Assert.Equal(1, station.Count("auto-answered"));

        // The captured INVITE replayed by someone who has no password.
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var self = (IPEndPoint)attacker.LocalEndPoint!;
        var target = new IPEndPoint(IPAddress.Loopback, port);
        var replies = new List<string>();

        // As it was, the Via pointed at the attacker so that any answer comes back here.
        var asItWas = ViaSentBy().Replace(invite, $"Via: SIP/2.0/UDP 127.0.0.1:{self.Port};", 1);
        await attacker.SendToAsync(Encoding.UTF8.GetBytes(asItWas), target);
        replies.AddRange(await ReceiveAllAsync(attacker, TimeSpan.FromSeconds(3)));

        // As a new call: new branch, Call-ID and From tag; the Authorization still verifies, but its nonce-count was used.
        var dressedUp = BranchParameter().Replace(asItWas, "branch=z9hG4bKreplay" + Environment.TickCount64);
        dressedUp = CallIdHeader().Replace(dressedUp, "Call-ID: replayed-" + Guid.NewGuid().ToString("N"));
        dressedUp = FromTag().Replace(dressedUp, ";tag=replayed1");
        await attacker.SendToAsync(Encoding.UTF8.GetBytes(dressedUp), target);
        var dressedReplies = await ReceiveAllAsync(attacker, TimeSpan.FromSeconds(3));
        replies.AddRange(dressedReplies);
        output.WriteLine("replies to the replays:\n" + string.Join("\n", replies.Select(r => r.Split("\r\n")[0])));

        Assert.Contains(dressedReplies, r => r.StartsWith("SIP/2.0 401", StringComparison.Ordinal));
        Assert.DoesNotContain(replies, r => r.StartsWith("SIP/2.0 200", StringComparison.Ordinal) || r.StartsWith("SIP/2.0 180", StringComparison.Ordinal));
        await station.WaitForLineAsync(@"not authenticated \(Replayed\)", Wait);
        Assert.Equal(1, station.Count("auto-answered"));
        Assert.Equal(1, station.Count("door energised"));

        await station.Process.StopAsync();
        RegistrarFaultTests.AssertNoSecretIn(station.Process.Lines, config);
    }

    [Fact]
    public async Task Svcrack_guessing_the_password_is_locked_out_after_five_wrong_answers()
    {
        var port = FreePort.Next();
        var config = StationConfigs.Direct(port, $"sip:{User}@127.0.0.1:5999");
        // svcrack 0.3 computes MD5 only (a SHA-256 challenge makes it crash): MD5 alone, to let it try at all.
        config.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Realm = "front-door", Username = User, Password = Password, Algorithms = ["MD5"] };
        await using var station = await StationProcess.StartAsync(config, Path.Combine(_dir, "station"));

        // 300 wrong guesses, then the password: svcrack never gets to it.
        var dictionary = Path.Combine(_dir, "dictionary.txt");
        await File.WriteAllLinesAsync(dictionary, [.. Enumerable.Range(0, 300).Select(i => $"guess{i}"), Password]);
        var svcrack = PeerProcess.Start("svcrack", ["-u", User, "-d", dictionary, "-m", "INVITE", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1"], _dir);
        await using (svcrack)
        {
            await svcrack.WaitForExitAsync(TimeSpan.FromSeconds(120));
        }

        output.WriteLine(svcrack.Output);
        Assert.DoesNotContain(Password, svcrack.Output, StringComparison.Ordinal);
        Assert.Equal(5, station.Count("not authenticated (WrongCredentials)"));
        Assert.True(station.Count("not authenticated (LockedOut)") >= 1, "no lockout logged");
        Assert.Equal(0, station.Count("auto-answered"));
    }

    private async Task<Baresip> Phone(string name, string authUser, string authPassword, string aorUser = User)
    {
        var phone = Baresip.Create(Path.Combine(_dir, name),
            $"<sip:{aorUser}@127.0.0.1>;auth_user={authUser};auth_pass={authPassword};regint=0;answermode=manual;audio_codecs=PCMU");
        await phone.StartAsync();
        return phone;
    }

    /// <summary>The INVITE with an Authorization header among what tshark captured (waits for tshark to print it).</summary>
    private static async Task<string> CapturedAuthenticatedInviteAsync(PeerProcess capture)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            foreach (var line in capture.Lines.ToList())
            {
                if (line.Length > 16 && line.All(Uri.IsHexDigit))
                {
                    var text = Encoding.UTF8.GetString(Convert.FromHexString(line));
                    if (text.StartsWith("INVITE ", StringComparison.Ordinal) && text.Contains("\r\nAuthorization:", StringComparison.OrdinalIgnoreCase))
                    {
                        return text;
                    }
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("tshark captured no authenticated INVITE:\n" + capture.Tail());
            }

            await capture.WaitForLineAsync(".", TimeSpan.FromSeconds(1), skip: capture.Lines.Count()).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Every datagram that arrives until the socket has been quiet for <paramref name="quiet"/>.</summary>
    private static async Task<List<string>> ReceiveAllAsync(Socket socket, TimeSpan quiet)
    {
        var received = new List<string>();
        var buffer = new byte[65_535];
        while (true)
        {
            using var cts = new CancellationTokenSource(quiet);
            try
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                received.Add(Encoding.UTF8.GetString(buffer, 0, n));
            }
            catch (OperationCanceledException)
            {
                return received;
            }
        }
    }

    [GeneratedRegex(@"Via: SIP/2\.0/UDP [^;\r\n]+;", RegexOptions.IgnoreCase)]
    private static partial Regex ViaSentBy();

    [GeneratedRegex(@"branch=[^;\r\n]+")]
    private static partial Regex BranchParameter();

    [GeneratedRegex(@"Call-ID: [^\r\n]+", RegexOptions.IgnoreCase)]
    private static partial Regex CallIdHeader();

    [GeneratedRegex(@"(?<=\r\nFrom: [^\r\n]*);tag=[^;\r\n]+", RegexOptions.IgnoreCase)]
    private static partial Regex FromTag();
}
