using System.Net;
using DnsClient;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registration;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Sip.Tests.UserAgent.Registration;

/// <summary>
/// A registration client over a real transaction layer on a caller-thread loop, a fake clock and a fake transport, and a
/// registrar played by the test with a real <see cref="DigestVerifier"/>.
/// </summary>
internal sealed class RegistrationBench : IDisposable
{
    public const string Password = "door-secret";

    public RegistrationBench(Func<RegistrationOptions, RegistrationOptions>? configure = null, string registrarPassword = Password, TimeSpan? nonceLifetime = null)
    {
        Loop = new SipLoop(Time, SipLoopMode.CallerThread);
        Transport = new FakeRegistrarTransport(Loop);
        Layer = new TransactionLayer(Loop, Transport, null);

        // Numeric hosts never reach DNS (RFC 3263 §4.2); the resolver points at a port nobody serves.
        var locator = new SipServerLocator(new LookupClient(new LookupClientOptions(new IPEndPoint(IPAddress.Loopback, 9))));
        var options = new RegistrationOptions
        {
            AddressOfRecord = SipUri.Parse("sip:door@example.com"),
            Registrar = SipUri.Parse("sip:192.0.2.10"),
            Credentials = new DigestCredentials("door", Password),
            Expires = TimeSpan.FromSeconds(3600),
            RetryBaseDelay = TimeSpan.FromSeconds(30),
            RetryMaximumDelay = TimeSpan.FromMinutes(30),
            KeepAliveInterval = TimeSpan.Zero,
        };
        Client = new RegistrationClient(Layer, locator, configure?.Invoke(options) ?? options, Transport, new Random(42));
        Client.StatusChanged += (_, status) => Statuses.Add(status);
        Verifier = new DigestVerifier("example.com", Time, new DigestVerifierOptions
        {
            Algorithm = DigestAlgorithm.Sha256,
            NonceLifetime = nonceLifetime ?? TimeSpan.FromHours(12),
        });
        RegistrarPassword = registrarPassword;
    }

    public FakeTimeProvider Time { get; } = new();

    public SipLoop Loop { get; }

    public FakeRegistrarTransport Transport { get; }

    public TransactionLayer Layer { get; }

    public RegistrationClient Client { get; }

    public DigestVerifier Verifier { get; }

    public string RegistrarPassword { get; set; }

    public List<RegistrationStatus> Statuses { get; } = [];

    public RegistrationState State => Client.Status.State;

    /// <summary>REGISTER requests, one per transaction (retransmissions left out).</summary>
    public List<SipRequest> Registers => Transport.Sent.Select(s => s.Request).Where(r => r.Method == SipMethods.Register)
        .DistinctBy(r => r.CSeq!.Value.Number).ToList();

    public SipRequest LastRegister => Registers[^1];

    public SipDestination LastDestination => Transport.Sent[^1].Destination;

    /// <summary>Answers the last REGISTER with <paramref name="status"/>; <paramref name="edit"/> adds headers or changes the Via.</summary>
    public void Respond(int status, Action<SipResponse>? edit = null, SipRequest? request = null)
    {
        request ??= LastRegister;
        var response = SipResponse.CreateFor(request, status, toTag: "reg-tag");
        edit?.Invoke(response);
        Transport.Receive(response, LastDestination);
    }

    /// <summary>
    /// Plays a registrar (RFC 3261 §10.3) for the last REGISTER: 401 with a challenge until the credentials verify (stale=true
    /// when only the nonce expired), then 200 listing the Contact with <paramref name="granted"/> seconds.
    /// </summary>
    public DigestVerification Registrar(uint granted = 3600, Action<SipResponse>? edit = null)
    {
        var request = LastRegister;
        var result = Verifier.Verify(request, user => user == "door" ? RegistrarPassword : null);
        if (result != DigestVerification.Accepted)
        {
            Respond(401, r => Verifier.AddChallenge(r, stale: result == DigestVerification.Stale), request);
            return result;
        }

        Respond(200, r =>
        {
            foreach (var contact in request.Contacts)
            {
                var listed = contact.Clone();
                if (listed.Parameters.Get("expires") != "0")
                {
                    listed.Parameters.Set("expires", granted.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    r.Headers.Add(SipHeaderNames.Contact, listed.ToString());
                }
            }

            edit?.Invoke(r);
        }, request);
        return result;
    }

    /// <summary>Starts the client and lets the registrar challenge and accept it.</summary>
    public void Register(uint granted = 3600)
    {
        Client.Start();
        Assert.Equal(DigestVerification.Missing, Registrar(granted));
        Assert.Equal(DigestVerification.Accepted, Registrar(granted));
        Assert.Equal(RegistrationState.Registered, State);
    }

    public void Advance(TimeSpan time) => Time.Advance(time);

    public void AdvanceSeconds(double seconds) => Time.Advance(TimeSpan.FromSeconds(seconds));

    public void Dispose()
    {
        Client.Dispose();
        Loop.Dispose();
    }
}
