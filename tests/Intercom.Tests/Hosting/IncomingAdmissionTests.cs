using System.Net;
using System.Net.Sockets;
using System.Text;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Tests.Hosting;

/// <summary>
/// The app's admission of callers (StationApp wiring the user agent's source check): an INVITE is let in from the
/// registrar of an account that registers, from station.incoming.sources (applied live), and from nowhere else — the same
/// 403 for an allowlisted From as for any other, and no station event for either.
/// </summary>
public sealed class IncomingAdmissionTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeSipPeer _registrar = new();

    public void Dispose() => _registrar.Dispose();

    private IntercomConfig Config(string transport = "udp")
    {
        var config = new IntercomConfig { Name = "Admission door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts =
        [
            new SipAccountConfig
            {
                Id = "pbx", Aor = $"sip:door@{_registrar.HostPort}", Password = "Pbx-Door-Secret-5", Transport = transport,
                Registrar = transport == "udp" ? null : $"sip:{_registrar.HostPort};transport={transport}",
            },
        ];
        config.Media.Codecs = ["pcmu"];
        config.Audio.Driver = "null";
        config.Station.RingGroups[0].Targets = [$"sip:resident@{_registrar.HostPort}"];
        config.Station.Incoming = new IncomingConfig { Allowlist = ["sip:resident@127.0.0.1"], AutoAnswer = true, AnnouncementBeep = false };
        config.Station.EventLog.PersistPath = null;
        Assert.Empty(ConfigValidator.Validate(config));
        return config;
    }

    [Fact]
    public async Task Only_the_registrars_address_is_let_in_and_a_stranger_gets_the_same_403_whoever_it_claims_to_be()
    {
        using var app = StationApp.Start(Config(), simulate: true, NullLoggerFactory.Instance);
        await WaitForAsync(() => app.Registrations[0].Status.State == RegistrationState.Registered, "registered");
        var port = app.SipPort(SipTransportProtocol.Udp);

        // From another loopback address than the registrar's (127.0.0.1): refused before the From is looked at.
        var forged = await InviteAsync(port, "127.0.0.5", "resident", 1);
        var stranger = await InviteAsync(port, "127.0.0.5", "someone-else", 2);
        Assert.StartsWith("SIP/2.0 403 Forbidden\r\n", forged, StringComparison.Ordinal);
        Assert.Equal(Shape(forged), Shape(stranger));
        Assert.DoesNotContain(app.Station.Events.Snapshot(), e => e.Kind == Intercom.Station.Logging.StationEventKind.Incoming);

        // The registrar's address: the allowlisted caller is answered.
        var throughPbx = await InviteAsync(port, "127.0.0.1", "resident", 3);
        Assert.StartsWith("SIP/2.0 200 OK\r\n", throughPbx, StringComparison.Ordinal);
        Assert.Contains(app.Station.Events.Snapshot(), e => e.Message.Contains("(through the registrar) auto-answered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_source_network_is_let_in_once_it_is_configured_live()
    {
        using var app = StationApp.Start(Config(), simulate: true, NullLoggerFactory.Instance);
        var port = app.SipPort(SipTransportProtocol.Udp);
        Assert.StartsWith("SIP/2.0 403", await InviteAsync(port, "127.0.0.6", "resident", 1), StringComparison.Ordinal);

        var next = Config();
        next.Station.Incoming.Sources = ["127.0.0.6"];
        app.Station.Reconfigure(next.Station);
        await app.ReconfigureCallsAsync(next);

        Assert.StartsWith("SIP/2.0 200", await InviteAsync(port, "127.0.0.6", "resident", 2), StringComparison.Ordinal);
        Assert.Contains(app.Station.Events.Snapshot(), e => e.Message.Contains("(from a trusted source) auto-answered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tls_accounts_registrar_is_not_let_in_over_udp()
    {
        // The registrar is 127.0.0.1 over TLS (nobody answers there: it need not be registered to be the registrar). A UDP
        // source address is easy to forge on the LAN; an account that chose TLS trusts its server over TLS only.
        using var app = StationApp.Start(Config("tls"), simulate: true, NullLoggerFactory.Instance);
        await WaitForAsync(() => app.Registrations[0].Servers.Count > 0, "registrar located");
        var port = app.SipPort(SipTransportProtocol.Udp);

        Assert.StartsWith("SIP/2.0 403", await InviteAsync(port, "127.0.0.1", "resident", 1), StringComparison.Ordinal);
    }

    // The status line and the header names, in order: what a stranger could compare between two answers.
    private static string Shape(string response) =>
        string.Join("\n", response.Split("\r\n").TakeWhile(l => l.Length > 0).Select((l, i) => i == 0 ? l : l[..l.IndexOf(':', StringComparison.Ordinal)]));

    /// <summary>An INVITE from <paramref name="from"/> (a loopback address) with From sip:USER@127.0.0.1; the first final answer.</summary>
    private static async Task<string> InviteAsync(int port, string from, string user, int n)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        var local = (IPEndPoint)socket.LocalEndPoint!;
        const string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=sendrecv\r\n";
        var invite = $"INVITE sip:door@127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKadm{n}{local.Port};rport\r\n" +
            $"Max-Forwards: 70\r\nFrom: <sip:{user}@127.0.0.1>;tag=a{n}\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: admission-{n}-{local.Port}\r\n" +
            $"CSeq: 1 INVITE\r\nContact: <sip:{user}@{local}>\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
        await socket.SendToAsync(Encoding.ASCII.GetBytes(invite), new IPEndPoint(IPAddress.Loopback, port));
        var buffer = new byte[8192];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer).WaitAsync(Wait);
            var text = Encoding.UTF8.GetString(buffer, 0, received);
            if (!text.StartsWith("SIP/2.0 1", StringComparison.Ordinal))
            {
                return text;
            }
        }
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => Eventually.UntilAsync(condition, what, Wait);
}
