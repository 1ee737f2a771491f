using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;
using Intercom.Station.Configuration;
using Xunit.Abstractions;

namespace Intercom.Security.Tests.Accounts;

/// <summary>
/// Issue #15.6, "keys can travel in clear": a station whose account says `transport: tls` with SRTP required, registered
/// at Kamailio over TLS, calls a resident (baresip, registered over TLS too) when its button is pressed. Whatever the
/// ring group's target URI says (here Kamailio's UDP address, which RFC 3263 alone would reach over UDP), an eavesdropper
/// on the wire (tshark on lo, filtered on the station's and Kamailio's ports) sees no SIP INVITE and no SDES key in
/// clear: the INVITE goes over the account's TLS flow, and the SRTP call is set up.
/// </summary>
public sealed class TlsAccountCallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-security-accounts-").FullName;
    private Kamailio _kamailio = null!;
    private Baresip _resident = null!;

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"), reachRegisteredFlows: true);
        _kamailio.Users["door"] = "door-secret";
        _kamailio.Users["resident"] = "resident-secret";
        await _kamailio.StartAsync();
        _resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:resident@127.0.0.1:{_kamailio.TlsPort};transport=tls>;auth_pass=resident-secret;answermode=auto;regint=600;audio_codecs=PCMU;mediaenc=srtp-mand",
            caFile: _kamailio.Certificates.CaFile);
        await _resident.StartAsync();
        await _resident.WaitForRegistrationAsync(Wait);
    }

    public async Task DisposeAsync()
    {
        await _resident.DisposeAsync();
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_tls_accounts_button_call_crosses_the_wire_as_tls_only_with_no_invite_or_sdes_key_in_clear()
    {
        var sipPort = FreePort.Next();
        var webPort = FreePort.Next();
        await using var station = await AotStation.StartAsync(StationConfig(sipPort, webPort));
        await station.WaitForLineAsync(@"registered \(", Wait);

        await using var capture = await LoopbackCapture.StartAsync(_dir,
            $"udp port {sipPort} or udp port {_kamailio.UdpPort} or tcp port {_kamailio.TcpPort} or tcp port {_kamailio.TlsPort}");

        // A plaintext request the capture must see (to the station's own UDP port): proof that it captures at all.
        await capture.MarkAsync(sipPort, "canary");
        await PressButtonAsync(station, webPort, "button1");
        await _resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        var invite = await _kamailio.Process.WaitForLineAsync(@"request INVITE sip:resident@\S+ from 127\.0\.0\.1:\d+ \((\w+)\)", Wait);
        await _resident.CommandAsync("hangup");
        await _resident.WaitForEventAsync("CALL_CLOSED", Wait);
        await capture.MarkAsync(sipPort, "canary-end");

        var packets = await capture.StopAsync();
        var canaries = LoopbackCapture.CountContaining(packets, "OPTIONS sip:canary@") + LoopbackCapture.CountContaining(packets, "OPTIONS sip:canary-end@");
        var invitesInClear = LoopbackCapture.CountContaining(packets, "INVITE sip:");
        var keysInClear = LoopbackCapture.CountContaining(packets, "a=crypto");
        var registersInClear = LoopbackCapture.CountContaining(packets, "REGISTER sip:");
        output.WriteLine(capture.Output);
        output.WriteLine($"{packets.Count} packets captured; canary {canaries}; plaintext INVITE {invitesInClear}, a=crypto {keysInClear}, REGISTER {registersInClear}; Kamailio: {invite}");

        Assert.True(canaries >= 2, "the capture saw the plaintext canaries before and after the call: it works");
        Assert.Equal(0, invitesInClear);
        Assert.Equal(0, keysInClear);
        Assert.EndsWith("(tls)", invite, StringComparison.Ordinal);
        Assert.True(packets.Count > 20, $"only {packets.Count} packets: the TLS call should have been captured");
    }

    private string StationConfig(int sipPort, int webPort)
    {
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = sipPort }];
        config.Sip.Tls.CaFile = _kamailio.Certificates.CaFile;
        config.Accounts.Add(new SipAccountConfig
        {
            // No transport in the URIs: the account's transport alone must bind its registration and its calls.
            Id = "pbx", Aor = $"sip:door@127.0.0.1:{_kamailio.TlsPort}", Password = "door-secret", Transport = "tls", Srtp = "required",
            ExpiresSeconds = 300,
        });
        config.Media.Codecs = ["pcmu"];
        config.Audio.Driver = "null";
        // The resident's address-of-record at Kamailio's UDP address: today's RFC 3263 location reaches it over UDP.
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [$"sip:resident@127.0.0.1:{_kamailio.UdpPort}"] }];
        config.Station.Codes = [new CodeConfig { Code = "7391", Relay = "door" }];
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        config.Web.Address = "127.0.0.1";
        config.Web.Port = webPort;
        config.Web.Https = false; // this test is about SIP over TLS; the page is only its button
        var errors = ConfigValidator.Validate(config);
        Assert.Empty(errors);
        return ConfigLoader.Serialize(config);
    }

    /// <summary>
    /// The simulated board's button, pressed through the web API as its first owner: setup with the one-time secret the
    /// station wrote beside its configuration, then the session's CSRF token.
    /// </summary>
    private static async Task PressButtonAsync(AotStation station, int webPort, string button)
    {
        var secret = (await File.ReadAllTextAsync(Path.Combine(station.Directory, "web-setup-secret"))).Trim();
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var web = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{webPort}"), Timeout = TimeSpan.FromSeconds(20) };
        using var setup = await web.PostAsync("/api/setup", new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["password"] = "correct horse battery staple", ["setupSecret"] = secret }), Encoding.UTF8, "application/json"));
        var body = await setup.Content.ReadAsStringAsync();
        Assert.True(setup.IsSuccessStatusCode, $"setup: {(int)setup.StatusCode} {body}");
        var csrf = JsonDocument.Parse(body).RootElement.GetProperty("csrf").GetString();
        using var press = new HttpRequestMessage(HttpMethod.Post, $"/api/sim/buttons/{button}/press");
        press.Headers.Add("X-CSRF-Token", csrf);
        using var pressed = await web.SendAsync(press);
        Assert.True(pressed.IsSuccessStatusCode, $"button press: {(int)pressed.StatusCode} {await pressed.Content.ReadAsStringAsync()}");
    }
}
